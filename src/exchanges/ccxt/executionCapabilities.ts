import type { ClientIdCodec } from './clientIdQuirks.js';
import { ORDER_ID_PREFIX, isGeneratedId } from '../../core/ids.js';
import {
  BYBIT_CLIENT_ID,
  DERIBIT_CLIENT_ID,
  GATE_CLIENT_ID,
  KRAKEN_CLIENT_ID,
  UNIFIED_CLIENT_ID,
} from './clientIdQuirks.js';

/**
 * What each supported exchange can do for live trading, and how its client order ids must
 * look. The OMS asks here instead of branching on exchange names; an exchange not listed
 * is refused for live trading (ERR_EXCHANGE_NOT_SUPPORTED).
 */
export interface ExecutionCapabilities {
  readonly spot: boolean;
  /** USDT-margined perpetuals (leverage and margin mode set per symbol). */
  readonly usdtPerpetual: boolean;
  /**
   * Amend a resting order in place through ccxt's editOrder: same exchange order id, same
   * client order id (where ccxt's editOrder is a cancel-and-replace, this is false).
   */
  readonly amend: boolean;
  /**
   * Look every order up by our client order id. False where that lookup covers recent orders
   * only (Deribit): an acknowledged order is looked up by its exchange id there, and only one of
   * unknown outcome (no exchange id) by ours, through the codec.
   */
  readonly fetchByClientId: boolean;
  /** Private WebSocket streams (watchOrders/watchMyTrades) in ccxt.pro. */
  readonly privateStreams: boolean;
  /** Longest client order id accepted, and the characters allowed. */
  readonly clientIdMaxLength: number;
  readonly clientIdPattern: RegExp;
  /** ccxt `options` that set its broker prefix to ours, so ccxt never rewrites our ids. */
  readonly brokerOptions: (prefix: string) => Record<string, unknown>;
  /** The param name ccxt reads a client order id from when creating/fetching. */
  readonly clientIdParam: string;
  /** How the exchange carries our client order id in and out (src/exchanges/ccxt/clientIdQuirks.ts). */
  readonly clientIds: ClientIdCodec;
}

const ALNUM = /^[A-Za-z0-9]+$/;
const ALNUM_DASH = /^[A-Za-z0-9_-]+$/;

const binanceBroker = (prefix: string): Record<string, unknown> => ({
  broker: { spot: prefix, margin: prefix, future: prefix, delivery: prefix, swap: prefix, option: prefix },
});

/** The capability map (ccxt 4.5; each line checked against the exchange's API docs). */
export const EXECUTION_CAPABILITIES: Readonly<Record<string, ExecutionCapabilities>> = {
  // https://developers.binance.com/docs/binance-spot-api-docs/rest-api/trading-endpoints
  binance: {
    spot: true,
    usdtPerpetual: true,
    // ccxt's spot editOrder is POST /api/v3/order/cancelReplace: a new order with a new id, not
    // an amend. USDT-M amends in place through binanceusdm (PUT /fapi/v1/order).
    amend: false,
    fetchByClientId: true,
    privateStreams: true,
    clientIdMaxLength: 36,
    clientIdPattern: ALNUM_DASH,
    brokerOptions: binanceBroker,
    clientIdParam: 'clientOrderId',
    clientIds: UNIFIED_CLIENT_ID,
  },
  // https://developers.binance.com/docs/derivatives/usds-margined-futures/trade/rest-api/Modify-Order
  binanceusdm: {
    spot: false,
    usdtPerpetual: true,
    amend: true,
    fetchByClientId: true,
    privateStreams: true,
    clientIdMaxLength: 36,
    clientIdPattern: ALNUM_DASH,
    brokerOptions: binanceBroker,
    clientIdParam: 'clientOrderId',
    clientIds: UNIFIED_CLIENT_ID,
  },
  // https://www.okx.com/docs-v5/en/#order-book-trading-trade-post-place-order (clOrdId ≤32 alphanumerics)
  okx: {
    spot: true,
    usdtPerpetual: true,
    amend: true,
    fetchByClientId: true,
    privateStreams: true,
    clientIdMaxLength: 32,
    clientIdPattern: ALNUM,
    brokerOptions: () => ({ brokerId: '' }),
    clientIdParam: 'clientOrderId',
    clientIds: UNIFIED_CLIENT_ID,
  },
  // https://bybit-exchange.github.io/docs/v5/order/create-order (orderLinkId ≤36)
  bybit: {
    spot: true,
    usdtPerpetual: true,
    amend: true,
    fetchByClientId: true,
    privateStreams: true,
    clientIdMaxLength: 36,
    clientIdPattern: ALNUM_DASH,
    brokerOptions: () => ({ brokerId: '' }),
    clientIdParam: 'clientOrderId',
    clientIds: BYBIT_CLIENT_ID,
  },
  // https://www.gate.io/docs/developers/apiv4/#create-an-order (text: "t-" + ≤28); ccxt refuses
  // a text over 28 characters counting the "t-" our codec adds, so ours may have 26.
  gate: {
    spot: true,
    usdtPerpetual: true,
    amend: true,
    fetchByClientId: true,
    privateStreams: true,
    clientIdMaxLength: 26,
    clientIdPattern: ALNUM_DASH,
    brokerOptions: () => ({ broker: '' }),
    clientIdParam: 'clientOrderId',
    clientIds: GATE_CLIENT_ID,
  },
  // https://www.bitget.com/api-doc/spot/trade/Place-Order (clientOid ≤50)
  bitget: {
    spot: true,
    usdtPerpetual: true,
    amend: false,
    fetchByClientId: true,
    privateStreams: true,
    clientIdMaxLength: 50,
    clientIdPattern: ALNUM_DASH,
    brokerOptions: () => ({ broker: '' }),
    clientIdParam: 'clientOrderId',
    clientIds: UNIFIED_CLIENT_ID,
  },
  // https://www.kucoin.com/docs/rest/spot-trading/orders/place-order (clientOid ≤40)
  kucoin: {
    spot: true,
    usdtPerpetual: false,
    amend: false,
    fetchByClientId: true,
    privateStreams: true,
    clientIdMaxLength: 40,
    clientIdPattern: ALNUM_DASH,
    brokerOptions: () => ({ partner: {} }),
    clientIdParam: 'clientOrderId',
    clientIds: UNIFIED_CLIENT_ID,
  },
  // https://docs.kraken.com/api/docs/rest-api/add-order (cl_ord_id ≤18 alphanumerics in ccxt's mapping)
  kraken: {
    spot: true,
    usdtPerpetual: false,
    amend: true,
    fetchByClientId: true,
    privateStreams: true,
    clientIdMaxLength: 18,
    clientIdPattern: ALNUM_DASH,
    brokerOptions: () => ({}),
    clientIdParam: 'clientOrderId',
    clientIds: KRAKEN_CLIENT_ID,
  },
  // https://docs.deribit.com/#private-buy (label ≤64; no USDT perpetuals in the USDT-M sense)
  deribit: {
    spot: true,
    usdtPerpetual: false,
    amend: true,
    fetchByClientId: false,
    privateStreams: true,
    clientIdMaxLength: 64,
    clientIdPattern: ALNUM_DASH,
    brokerOptions: () => ({}),
    clientIdParam: 'label',
    clientIds: DERIBIT_CLIENT_ID,
  },
};

/** The capabilities of `exchangeId`, or undefined when live trading does not support it. */
export function capabilitiesOf(exchangeId: string): ExecutionCapabilities | undefined {
  return EXECUTION_CAPABILITIES[exchangeId.toLowerCase()];
}

/**
 * The id sent to the exchange for our order id: the run prefix (so ids of this deployment
 * are recognisable among others on the account) plus the OMS id, checked against the
 * exchange's format. It is a pure function of the order id, so a restart computes the same
 * id and a lookup after a crash finds the order.
 */
export function exchangeClientId(caps: ExecutionCapabilities, prefix: string, orderId: string): string {
  const id = `${prefix}${orderId}`;
  if (id.length > caps.clientIdMaxLength || !caps.clientIdPattern.test(id))
    throw new Error(`client order id "${id}" does not fit the exchange's format`);
  return id;
}

/**
 * Whether an order on the exchange is one of ours: its client id is exactly what
 * exchangeClientId makes of an OMS id (`prefix` + "Q" + the base-36 sequence, e.g.
 * "qtsQ00002s"). Not a bare prefix match: a human's or another bot's order on the same account
 * named "qtsmanual" or "qtsQ1" is theirs, and reconciliation must neither cancel nor book it.
 */
export function isOurClientId(prefix: string, clientOrderId: string): boolean {
  return (
    clientOrderId.startsWith(prefix) && isGeneratedId(ORDER_ID_PREFIX, clientOrderId.slice(prefix.length))
  );
}
