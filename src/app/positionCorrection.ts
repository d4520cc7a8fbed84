import type { Fixed } from '../core/Fixed.js';
import { ZERO, neg } from '../core/Fixed.js';
import type { OrderFilled } from '../model/events.js';

/**
 * The fill that moves our position by `delta` (signed) at `price`, with no fee: how a
 * reconciliation pass settles a position difference nothing else explains (exchange wins).
 * The entry price of what it adds is `price`, not what the exchange paid: trades the exchange
 * can name (an orphan's, see OrphanOrders) are booked as trades before it.
 */
export function positionCorrection(
  symbol: string,
  delta: Fixed,
  price: Fixed,
  now: number,
  currency: string,
): OrderFilled {
  return {
    type: 'OrderFilled',
    eventId: `reconcile-${now}`,
    orderId: 'reconciliation',
    strategyId: '__reconciliation__',
    symbol,
    ts: now,
    tradeId: `reconcile-${symbol}-${now}`,
    side: delta > 0n ? 'BUY' : 'SELL',
    lastQty: delta > 0n ? delta : neg(delta),
    lastPx: price,
    fee: ZERO,
    feeCurrency: currency,
    liquidity: 'TAKER',
  };
}
