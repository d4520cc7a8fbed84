import type { Fixed } from '../../core/Fixed.js';
import { formatFixed } from '../../core/Fixed.js';
import type { OrderEventInput } from '../../model/events.js';
import type { Order } from '../../model/Order.js';
import type { OrderRequest } from '../../model/OrderRequest.js';
import type { AmendResult } from './amendTerms.js';
import type { VenueOrderSnapshot } from './executionMappers.js';
import { endOf } from './executionMappers.js';

/** The fields every report about `order` carries. */
function about(
  order: Order,
  now: number,
): { orderId: string; strategyId: string; symbol: string; ts: number } {
  return { orderId: order.id, strategyId: order.strategyId, symbol: order.symbol, ts: now };
}

/** The exchange refused the order, or never received it (`code` says which). */
export function rejectedReport(order: Order, code: string, reason: string, now: number): OrderEventInput {
  return { type: 'OrderRejected', code, reason, ...about(order, now) };
}

/** The exchange's view first carried the order's exchange id. */
export function acceptedReport(order: Order, venueOrderId: string, now: number): OrderEventInput {
  return { type: 'OrderAccepted', venueOrderId, ...about(order, now) };
}

/** The exchange confirmed an amend: the OMS takes the new terms over `before`. */
export function amendedReport(
  order: Order,
  before: OrderRequest,
  amended: AmendResult,
  now: number,
): OrderEventInput {
  return {
    type: 'OrderAmended',
    price: amended.price,
    quantity: amended.quantity,
    previousPrice: before.price,
    previousQuantity: before.quantity,
    reason: order.pendingAmend?.reason ?? 'amended',
    ...about(order, now),
  };
}

/**
 * The end of an order the exchange no longer holds open (undefined: filled in full, or a
 * state that ends nothing). A cancel we asked for ends with our reason.
 */
export function endReport(
  order: Order,
  snap: VenueOrderSnapshot,
  cancelReason: string | undefined,
  now: number,
): OrderEventInput | undefined {
  const end = snap.state === 'closed' ? closedShort(order, snap.filled, now) : endOf(order, snap.state, now);
  if (end?.type === 'OrderCanceled' && cancelReason !== undefined) return { ...end, reason: cancelReason };
  return end;
}

/**
 * The end of an order the exchange closed with less filled than we ordered: Binance cuts a
 * reduce-only order to the position it can close, and an amend may have lowered it. The rest
 * will never fill; the order ends as canceled with the reason. Undefined when fully filled.
 */
function closedShort(order: Order, filled: Fixed, now: number): OrderEventInput | undefined {
  if (filled >= order.quantity) return undefined;
  return {
    type: 'OrderCanceled',
    reason: `the exchange closed the order with ${formatFixed(filled)} of ${formatFixed(order.quantity)} filled (cut to the position or amended)`,
    ...about(order, now),
  };
}
