import type { Fixed } from '../core/Fixed.js';
import { formatFixed } from '../core/Fixed.js';
import type { Millis } from '../core/time.js';
import type { Order } from '../model/Order.js';
import type { AmendTerms } from '../model/OrderAmend.js';
import { amendedRequest } from '../model/OrderAmend.js';
import type { OrderRequest } from '../model/OrderRequest.js';
import type { Refusal } from './AccountChecks.js';
import { fixedToFloat } from './priceRounding.js';
import type { RestingOrder } from './RestingOrder.js';
import { SimReason } from './SimReason.js';
import { validateRequest } from './validateRequest.js';

/** An amend the venue accepted, already applied to the resting order. */
export interface AppliedAmend {
  readonly order: RestingOrder;
  readonly before: OrderRequest;
  readonly after: OrderRequest;
  readonly quantity: Fixed;
  /** A new price: the order re-rests behind the others of its symbol and arrives anew. */
  readonly repriced: boolean;
}

/**
 * Amends a resting order in place, as exchanges that amend do: same ids, filled part kept. A
 * lower quantity keeps the order's place in the book; a new price makes it count as arriving
 * at `arrival` (crossing `ref`, the last price, it takes liquidity). Refused, with nothing
 * changed, when the venue no longer holds the order open, the quantity is raised or not above
 * what filled, the terms are invalid, or a post-only price would take.
 */
export function amendResting(
  o: RestingOrder | undefined,
  order: Order,
  terms: AmendTerms,
  ref: number | undefined,
  arrival: Millis,
  venue: string,
): AppliedAmend | Refusal {
  if (o === undefined || o.closed)
    return { code: 'ERR_AMEND_NOT_OPEN', reason: `${order.id} is not open at ${venue}` };
  const quantity = terms.quantity ?? o.quantity;
  if (quantity > o.quantity)
    return { code: 'ERR_AMEND_QUANTITY', reason: `${order.id}: an amend may only lower the quantity` };
  if (quantity <= o.filled)
    return {
      code: 'ERR_AMEND_BELOW_FILLED',
      reason: `${order.id}: quantity must stay above the ${formatFixed(o.filled)} filled`,
    };
  const before = order.request;
  const after = amendedRequest(before, terms);
  const invalid = validateRequest(after, order.id);
  if (invalid !== undefined) return { code: SimReason.INVALID_ORDER, reason: invalid };
  const repriced = after.price !== undefined && after.price !== o.limitPx;
  if (repriced) {
    const limitPx = after.price ?? o.limitPx;
    const probe = { limitPx: o.limitPx, limitF: o.limitF };
    o.limitPx = limitPx;
    o.limitF = fixedToFloat(limitPx);
    const takes = ref !== undefined && o.marketableAt(ref);
    if (before.postOnly && takes && !(o.conditional && !o.triggered)) {
      o.limitPx = probe.limitPx;
      o.limitF = probe.limitF;
      return {
        code: SimReason.POST_ONLY_WOULD_TAKE,
        reason: `post-only ${o.side} at ${formatFixed(limitPx)} would take at ${ref}`,
      };
    }
    o.takerOnArrival = takes;
    o.arrivalUnchecked = ref === undefined;
    o.seen = false;
    o.arrival = arrival;
  }
  o.quantity = quantity;
  o.eventStale = true;
  return { order: o, before, after, quantity, repriced };
}
