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
   * Cancels the order named by our id, where ccxt's cancelOrder cannot name an order so at all
   * (Deribit); used in its place when the order's exchange id is unknown. Resolves once the
   * exchange took the cancel (its answer is no order view: what became of the order is looked
   * up after); rejects with ccxt.OrderNotFound when the exchange has no open order with our id.
   */
  cancelByClientId?(exchange: Exchange, symbol: string, id: string): Promise<void>;
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
 * Open orders are on GET /v5/order/realtime (by default it answers open ones only), closed ones
 * in the order history; both take `orderLinkId` and the market's `category` (ccxt derives it
 * from the symbol: spot, linear). ccxt's fetchOrder is not used: it first asks the account type
 * (two more requests, once) and on a classic account reads only the history, refusing spot outright
 * (NotSupported), so an order of unknown outcome there would never be resolved; the order
 * lists ask the same two endpoints on either account type. The history keeps a unified
 * account's orders canceled without fills for 24 hours, a classic spot account's for 7 days.
 * https://bybit-exchange.github.io/docs/v5/order/open-order,
 * https://bybit-exchange.github.io/docs/v5/order/order-list
 */
async function fetchBybitByLinkId(ex: Exchange, symbol: string, id: string): Promise<CcxtOrder> {
  const byLinkId = { orderLinkId: id };
  const ours = (list: CcxtOrder[]): CcxtOrder | undefined => list.find((o) => o.clientOrderId === id);
  const open = ours(await ex.fetchOpenOrders(symbol, undefined, undefined, byLinkId));
  if (open !== undefined) return open;
  const closed = ours(await ex.fetchCanceledAndClosedOrders(symbol, undefined, undefined, byLinkId));
  if (closed !== undefined) return closed;
  throw new ccxt.OrderNotFound(`bybit has no order with orderLinkId ${id} (${symbol})`);
}

/**
 * Gate: a user order id ("text") must start with "t-", and is reported back as sent
 * ("t-qtsQ1"); our id is the rest. ccxt adds "t-" only to an id that does not start with "t"
 * already, so one of a prefix like "trend" would go out bare (refused) and be looked up bare
 * (naming nothing): "t-" is added here, always, and ccxt passes it on as it is.
 * https://www.gate.io/docs/developers/apiv4/#create-an-order ("text" and "t-")
 */
export const GATE_CLIENT_ID: ClientIdCodec = {
  create: (id) => ({ clientOrderId: `t-${id}` }),
  read: (o) => {
    const text = o.clientOrderId;
    return text?.startsWith('t-') === true ? text.slice(2) : text;
  },
  // The order is named in the path only: ccxt's gate.cancelOrder would pass a `clientOrderId`
  // param on as a stray query parameter (Gate's cancel takes currency_pair, account, action_mode).
  cancel: () => ({}),
  // ccxt's gate.cancelOrder puts only its id argument in the path (DELETE …/orders/{order_id});
  // Gate takes the user id as sent ("t-" + ours) there while the order is open.
  // https://www.gate.io/docs/developers/apiv4/#cancel-a-single-order (order_id: "or user custom ID")
  cancelOrderId: (id) => `t-${id}`,
  fetch: (ex, symbol, id) => ex.fetchOrder('', symbol, { clientOrderId: `t-${id}` }),
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
 * and comes back in every order. ccxt has no unified call by label, but its implicit API has
 * Deribit's own: private/get_order_state_by_label (recent orders with the label, any state) and
 * private/cancel_by_label (cancels the open orders with the label, answers how many). Our
 * labels name one order each, so either names exactly the order of unknown outcome.
 * https://docs.deribit.com/#private-buy (label),
 * https://docs.deribit.com/api-reference/trading/private-get_order_state_by_label,
 * https://docs.deribit.com/api-reference/trading/private-cancel_by_label
 */
export const DERIBIT_CLIENT_ID: ClientIdCodec = {
  create: (id) => ({ label: id }),
  read: (o) => stringField(o.info, 'label'),
  cancel: () => ({}),
  // Without `currency` the cancel looks in every currency (counted against the cancel_all rate
  // limit): one naming the wrong currency would cancel nothing, at every sync, while the
  // lookup keeps showing the order open.
  cancelByClientId: async (ex, _symbol, id) => {
    const answer = await implicitCall(ex, 'privateGetCancelByLabel')({ label: id });
    const canceled = Number(field(answer, 'result'));
    if (!(canceled > 0)) throw new ccxt.OrderNotFound(`deribit has no open order labelled ${id}`);
  },
  fetch: async (ex, symbol, id) => {
    const lookup = implicitCall(ex, 'privateGetGetOrderStateByLabel');
    for (const currency of deribitCurrencies(ex, symbol)) {
      const list: unknown = field(await lookup({ currency, label: id }), 'result');
      const raw = Array.isArray(list) ? (list as unknown[]).find((o) => field(o, 'label') === id) : undefined;
      if (raw !== undefined) return ex.parseOrder(raw as Record<string, unknown>);
    }
    throw new ccxt.OrderNotFound(`deribit has no order labelled ${id} (${symbol})`);
  },
};

/**
 * The currencies whose order queue may hold an order of `symbol` (the label lookup takes one,
 * required): a derivative's settlement currency; for a spot pair its quote, then its base.
 */
function deribitCurrencies(ex: Exchange, symbol: string): string[] {
  const m = ex.market(symbol);
  const ids = m.spot ? [m.quoteId, m.baseId] : [m.settleId];
  return [...new Set(ids.filter((c): c is string => typeof c === 'string' && c !== ''))];
}

type ImplicitCall = (params: Record<string, unknown>) => Promise<unknown>;

/** One of ccxt's implicit API methods of `ex` (e.g. privateGetCancelByLabel), bound. */
function implicitCall(ex: Exchange, name: string): ImplicitCall {
  const f = (ex as unknown as Record<string, unknown>)[name];
  if (typeof f !== 'function') throw new ccxt.NotSupported(`${ex.id}: ccxt has no ${name}`);
  return (params) => (f as ImplicitCall).call(ex, params);
}

function field(o: unknown, name: string): unknown {
  return typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[name] : undefined;
}

function stringField(info: unknown, name: string): string | undefined {
  const v = field(info, name);
  return typeof v === 'string' && v !== '' ? v : undefined;
}
