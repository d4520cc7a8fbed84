import type { Fixed } from '../core/Fixed.js';
import { formatFixed } from '../core/Fixed.js';
import { QtsError } from '../core/QtsError.js';
import type { OrderStatus } from './enums.js';
import type { OrderEvent } from './events.js';
import { OrderType } from './enums.js';
import type { OrderRequest } from './OrderRequest.js';

/** What an amend changes of a resting order; what is not given stays. */
export interface AmendTerms {
  /** New limit price (only for orders that have one: LIMIT, STOP_LIMIT, TAKE_PROFIT_LIMIT). */
  readonly price?: Fixed | undefined;
  /** New total quantity, fills included: may only go down, and must stay above what filled. */
  readonly quantity?: Fixed | undefined;
}

/** Only an order resting at the venue and not yet done can be amended. */
const AMENDABLE = new Set<OrderStatus>(['ACCEPTED', 'PARTIALLY_FILLED']);

const PRICED = new Set<OrderType>([OrderType.LIMIT, OrderType.STOP_LIMIT, OrderType.TAKE_PROFIT_LIMIT]);

/** Whether an order in `status` may be amended. */
export function isAmendable(status: OrderStatus): boolean {
  return AMENDABLE.has(status);
}

/** What an amend check needs of the order. */
export interface AmendTarget {
  readonly id: string;
  readonly status: OrderStatus;
  readonly request: OrderRequest;
  readonly filledQty: Fixed;
}

/**
 * Why `terms` cannot apply to `order` (a coded error), or undefined when they can. The same
 * rules hold for the OMS's request and for the venue's confirmation, in every mode:
 * ERR_AMEND_NOT_OPEN (not resting: not ACCEPTED or PARTIALLY_FILLED), ERR_AMEND_INVALID
 * (nothing to change, a price on an order without a limit price, a price ≤ 0),
 * ERR_AMEND_QUANTITY (more than the order's quantity: exchanges that amend in place only
 * shrink it) and ERR_AMEND_BELOW_FILLED (not above what already filled).
 */
export function amendProblem(order: AmendTarget, terms: AmendTerms): QtsError | undefined {
  if (!AMENDABLE.has(order.status))
    return new QtsError(
      'ERR_AMEND_NOT_OPEN',
      `order ${order.id} is ${order.status}: only a resting order can be amended`,
    );
  const { price, quantity } = terms;
  if (price === undefined && quantity === undefined)
    return new QtsError(
      'ERR_AMEND_INVALID',
      `amend of ${order.id} changes nothing: give a price or a quantity`,
    );
  const req = order.request;
  if (price !== undefined) {
    if (!PRICED.has(req.type))
      return new QtsError(
        'ERR_AMEND_INVALID',
        `order ${order.id} is ${req.type}: it has no limit price to amend`,
      );
    if (price <= 0n) return new QtsError('ERR_AMEND_INVALID', `amend of ${order.id}: price must be above 0`);
  }
  if (quantity !== undefined) {
    if (quantity > req.quantity)
      return new QtsError(
        'ERR_AMEND_QUANTITY',
        `amend of ${order.id}: quantity ${formatFixed(quantity)} above the ${formatFixed(req.quantity)} ordered (an amend may only lower it)`,
      );
    if (quantity <= order.filledQty)
      return new QtsError(
        'ERR_AMEND_BELOW_FILLED',
        `amend of ${order.id}: quantity ${formatFixed(quantity)} must stay above the ${formatFixed(order.filledQty)} already filled (cancel instead)`,
      );
  }
  return undefined;
}

/** The request with `terms` applied. */
export function amendedRequest(req: OrderRequest, terms: AmendTerms): OrderRequest {
  return {
    ...req,
    ...(terms.price === undefined ? {} : { price: terms.price }),
    ...(terms.quantity === undefined ? {} : { quantity: terms.quantity }),
  };
}

/** What became of the last amend asked of an order. */
export type AmendOutcome =
  | { readonly status: 'AMENDED' | 'PENDING' }
  | { readonly status: 'REJECTED'; readonly code: string; readonly reason: string };

/**
 * The outcome of an order's latest amend, read from its events (the simulated venue answers
 * at once; an exchange later, so a live amend is PENDING until its answer). Undefined when
 * the order was never amended.
 */
export function lastAmendOutcome(events: readonly OrderEvent[]): AmendOutcome | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e === undefined) break;
    if (e.type === 'OrderAmendRequested') return { status: 'PENDING' };
    if (e.type === 'OrderAmended') return { status: 'AMENDED' };
    if (e.type === 'OrderAmendRejected') return { status: 'REJECTED', code: e.code, reason: e.reason };
  }
  return undefined;
}
