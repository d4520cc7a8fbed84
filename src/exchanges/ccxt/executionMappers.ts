import type { Order as CcxtOrder, Trade as CcxtTrade } from 'ccxt';
import type { Fixed } from '../../core/Fixed.js';
import { ZERO, formatFixed, toFixed } from '../../core/Fixed.js';
import type { OrderEventInput, OrderFilled } from '../../model/events.js';
import type { Order } from '../../model/Order.js';
import type { OrderRequest } from '../../model/OrderRequest.js';

/** ccxt's unified order status, as far as the OMS cares. */
export type VenueOrderState = 'open' | 'closed' | 'canceled' | 'expired' | 'rejected';

/** An exchange's view of one of our orders, in our exact types. */
export interface VenueOrderSnapshot {
  readonly venueOrderId: string;
  readonly clientOrderId: string | undefined;
  readonly state: VenueOrderState;
  readonly filled: Fixed;
}

/** An exact amount from a ccxt number (ccxt parses the exchange's decimal strings to doubles). */
export function exact(x: number | string | undefined | null): Fixed {
  if (x === undefined || x === null || x === '') return ZERO;
  return toFixed(typeof x === 'number' ? Number(x.toPrecision(15)) : x);
}

/** A ccxt order as a snapshot; ccxt's 'canceled' also covers Binance's EXPIRED_IN_MATCH. */
export function snapshotOf(o: CcxtOrder): VenueOrderSnapshot {
  const raw = o.status ?? 'open';
  const state: VenueOrderState =
    raw === 'closed' || raw === 'canceled' || raw === 'expired' || raw === 'rejected' ? raw : 'open';
  return { venueOrderId: String(o.id), clientOrderId: o.clientOrderId, state, filled: exact(o.filled) };
}

/**
 * A ccxt trade of `order` as our fill report (the OMS drops it if its trade id was booked).
 * `order` is an order of the OMS, or what is known of one it never had (an orphan's trades).
 */
export function fillOf(
  order: Pick<Order, 'id' | 'strategyId' | 'symbol' | 'side'>,
  t: CcxtTrade,
  now: number,
): OrderFilled & { eventId: '' } {
  const fee = t.fee;
  return {
    type: 'OrderFilled',
    orderId: order.id,
    strategyId: order.strategyId,
    symbol: order.symbol,
    ts: t.timestamp ?? now,
    tradeId: String(t.id),
    side: order.side,
    lastQty: exact(t.amount),
    lastPx: exact(t.price),
    fee: exact(fee?.cost),
    feeCurrency: fee?.currency ?? '',
    liquidity: t.takerOrMaker === 'maker' ? 'MAKER' : 'TAKER',
    eventId: '',
  };
}

/** The terminal report of an order the exchange closed without filling it fully. */
export function endOf(order: Order, state: VenueOrderState, now: number): OrderEventInput | undefined {
  const base = { orderId: order.id, strategyId: order.strategyId, symbol: order.symbol, ts: now };
  switch (state) {
    case 'canceled':
      return { type: 'OrderCanceled', reason: 'canceled at the exchange', ...base };
    case 'expired':
      return { type: 'OrderExpired', ...base };
    case 'rejected':
      return {
        type: 'OrderRejected',
        code: 'ERR_EXCHANGE_REJECTED',
        reason: 'rejected by the exchange',
        ...base,
      };
    default:
      return undefined;
  }
}

/**
 * An exact amount as the double nearest to it, for ccxt. toNumber sums the whole and fractional
 * parts and can land one ulp below (1.997 → 1.9969999999999999), which ccxt's truncation to
 * the lot then turns into one lot less (1.9969): a stop would leave a lot unsold.
 */
export function wire(x: Fixed): number {
  return Number(formatFixed(x));
}

/** ccxt createOrder arguments for a request: unified type, side, amount, price, params. */
export function createArgs(r: OrderRequest): {
  type: string;
  side: 'buy' | 'sell';
  amount: number;
  price: number | undefined;
  params: Record<string, unknown>;
} {
  const params: Record<string, unknown> = {};
  if (r.type !== 'MARKET') params['timeInForce'] = r.timeInForce;
  if (r.postOnly) params['postOnly'] = true;
  if (r.reduceOnly) params['reduceOnly'] = true;
  if (r.triggerPrice !== undefined) params['triggerPrice'] = wire(r.triggerPrice);
  const limit = r.type === 'LIMIT' || r.type === 'STOP_LIMIT' || r.type === 'TAKE_PROFIT_LIMIT';
  return {
    type: limit ? 'limit' : 'market',
    side: r.side === 'BUY' ? 'buy' : 'sell',
    amount: wire(r.quantity),
    price: limit && r.price !== undefined ? wire(r.price) : undefined,
    params,
  };
}
