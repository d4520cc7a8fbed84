import type { Exchange, Order as CcxtOrder } from 'ccxt';
import ccxt from 'ccxt';

/**
 * How one exchange carries our client order id, in and out of ccxt. ccxt's unified
 * `clientOrderId` hides most differences but not all of them; each codec here is checked
 * against recorded answers of its exchange (test/exchanges/capture).
 */
export interface ClientIdCodec {
  /** createOrder params that send our id. */
  create(id: string): Record<string, unknown>;
  /** Our id in an order ccxt parsed, or undefined when it carries none we can read. */
  read(order: CcxtOrder): string | undefined;
  /** cancelOrder params naming the order by our id (used when its exchange id is unknown). */
  cancel(id: string): Record<string, unknown>;
  /**
   * The order id argument of cancelOrder when the order's exchange id is unknown (e.g. its
   * submit timed out). A string names the order by our id where the exchange takes one in its
   * place and ccxt sends nothing else (its params alone name no order); undefined sends no
   * order id at all, where ccxt would send an empty one that the exchange reads as the order's
   * name and the params name it instead. Without this, '' is passed.
   */
  cancelOrderId?(id: string): string | undefined;
  /**
   * The exchange's order with our id; rejects with ccxt.OrderNotFound when it has none, and
   * with ccxt.NotSupported where the exchange offers no such lookup.
   */
  fetch(exchange: Exchange, symbol: string, id: string): Promise<CcxtOrder>;
}

/** ccxt's unified `clientOrderId` both ways (Binance, OKX, Bitget, KuCoin). */
export const UNIFIED_CLIENT_ID: ClientIdCodec = {
  create: (id) => ({ clientOrderId: id }),
  read: (o) => o.clientOrderId,
  cancel: (id) => ({ clientOrderId: id }),
  fetch: (ex, symbol, id) => ex.fetchOrder('', symbol, { clientOrderId: id }),
};

/**
 * Bybit: ccxt sends our id as `orderLinkId` on create and reads it back, but neither its cancel
 * nor its order lookup maps `clientOrderId`: the cancel would send `orderId: ""` (ccxt sets it
 * whenever an id argument is given) and the unmapped param, naming no order; the lookup sends
 * only `orderId`. Both take `orderLinkId` instead, and with no orderId (it takes priority).
 * https://bybit-exchange.github.io/docs/v5/order/cancel-order (orderId or orderLinkId)
 */
export const BYBIT_CLIENT_ID: ClientIdCodec = {
  create: (id) => ({ clientOrderId: id }),
  read: (o) => o.clientOrderId,
  cancel: (id) => ({ orderLinkId: id }),
  cancelOrderId: () => undefined,
  fetch: fetchBybitByLinkId,
};

/**
 * GET /v5/order/realtime holds open orders and the last 500 closed ones, and after a Bybit
 * restart a unified account's closed orders only in the history: an order of unknown outcome
 * that filled must not be taken for one that never arrived, so the history is asked next.
 * ccxt's fetchOrder reaches the real-time query only with `acknowledged` (on a unified
 * account); `orderId: undefined` overrides the order id it would send (ccxt drops undefined
 * query values), while its id argument stays a string for its not-found message.
 * https://bybit-exchange.github.io/docs/v5/order/open-order,
 * https://bybit-exchange.github.io/docs/v5/order/order-list
 */
async function fetchBybitByLinkId(ex: Exchange, symbol: string, id: string): Promise<CcxtOrder> {
  try {
    return await ex.fetchOrder('', symbol, { acknowledged: true, orderId: undefined, orderLinkId: id });
  } catch (e) {
    if (!(e instanceof ccxt.OrderNotFound)) throw e;
  }
  const closed = await ex.fetchCanceledAndClosedOrders(symbol, undefined, undefined, { orderLinkId: id });
  const match = closed.find((o) => o.clientOrderId === id);
  if (match !== undefined) return match;
  throw new ccxt.OrderNotFound(`bybit has no order with orderLinkId ${id} (${symbol})`);
}

/**
 * Gate: a user order id ("text") must start with "t-"; ccxt adds the prefix when sending and
 * when looking an order up by it, but reports it back as sent ("t-qtsQ1"). Our id is the rest.
 * https://www.gate.io/docs/developers/apiv4/#create-an-order ("text" and "t-")
 */
export const GATE_CLIENT_ID: ClientIdCodec = {
  create: (id) => ({ clientOrderId: id }),
  read: (o) => {
    const text = o.clientOrderId;
    return text?.startsWith('t-') === true ? text.slice(2) : text;
  },
  cancel: (id) => ({ clientOrderId: id }),
  // ccxt's gate.cancelOrder puts only its id argument in the path (DELETE …/orders/{order_id});
  // Gate takes the user id as sent ("t-" + ours) there while the order is open.
  // https://www.gate.io/docs/developers/apiv4/#cancel-a-single-order (order_id: "or user custom ID")
  cancelOrderId: (id) => `t-${id}`,
  fetch: (ex, symbol, id) => ex.fetchOrder('', symbol, { clientOrderId: id }),
};

/**
 * Kraken: our id travels as `cl_ord_id` (alphanumeric), never as `userref` (an int32 that
 * cannot hold it; the two are mutually exclusive). ccxt falls back to `userref` when an order
 * has no `cl_ord_id`, so other people's orders would show "0" as a client id: read the raw
 * field. AddOrder answers only the txid, so our id is first seen on a query. ccxt's fetchOrder
 * maps a client id to `userref`; the lookup goes through the open and closed order lists,
 * which filter by `cl_ord_id`.
 * https://docs.kraken.com/api/docs/rest-api/add-order, /get-open-orders, /get-closed-orders
 */
export const KRAKEN_CLIENT_ID: ClientIdCodec = {
  create: (id) => ({ clientOrderId: id }),
  read: (o) => stringField(o.info, 'cl_ord_id'),
  cancel: (id) => ({ clientOrderId: id }),
  fetch: async (ex, symbol, id) => {
    const match = (list: CcxtOrder[]): CcxtOrder | undefined =>
      list.find((o) => KRAKEN_CLIENT_ID.read(o) === id);
    const open = match(await ex.fetchOpenOrders(undefined, undefined, undefined, { clientOrderId: id }));
    if (open !== undefined) return open;
    const closed = match(await ex.fetchClosedOrders(undefined, undefined, undefined, { clientOrderId: id }));
    if (closed !== undefined) return closed;
    throw new ccxt.OrderNotFound(`kraken has no order with cl_ord_id ${id} (${symbol})`);
  },
};

/**
 * Deribit: ccxt maps no client id; the exchange's own `label` (≤ 64 characters) carries ours
 * and comes back in every order. ccxt offers no lookup by label, so an order of unknown
 * outcome is found by its exchange id only (fetchByClientId is false in the capability map).
 * https://docs.deribit.com/#private-buy (label)
 */
export const DERIBIT_CLIENT_ID: ClientIdCodec = {
  create: (id) => ({ label: id }),
  read: (o) => stringField(o.info, 'label'),
  cancel: () => ({}),
  fetch: () => Promise.reject(new ccxt.NotSupported('deribit: ccxt has no order lookup by label')),
};

function stringField(info: unknown, field: string): string | undefined {
  if (typeof info !== 'object' || info === null) return undefined;
  const v = (info as Record<string, unknown>)[field];
  return typeof v === 'string' && v !== '' ? v : undefined;
}
