import type { Fixed } from '../../core/Fixed.js';
import { formatFixed } from '../../core/Fixed.js';
import { QtsError } from '../../core/QtsError.js';
import type { Order } from '../../model/Order.js';
import type { AmendTerms } from '../../model/OrderAmend.js';

/** The terms the exchange confirmed after an amend. */
export interface AmendResult {
  readonly price: Fixed;
  readonly quantity: Fixed;
}

/**
 * The terms to ask the exchange for: the change over the order's current terms (`previous`,
 * those of its last amend, else its request). Only a LIMIT order is amended, and the OMS keeps
 * the order's original quantity as its ceiling: a larger quantity, one not above what already
 * filled, or a price not above 0 is refused (ERR_AMEND_QUANTITY) before the exchange is asked.
 */
export function amendTerms(order: Order, change: AmendTerms, previous: AmendResult | undefined): AmendResult {
  const r = order.request;
  if (r.type !== 'LIMIT')
    throw new QtsError('ERR_AMEND_INVALID', `only LIMIT orders can be amended (${order.id} is ${r.type})`);
  const quantity = change.quantity ?? previous?.quantity ?? r.quantity;
  const price = change.price ?? previous?.price ?? r.price;
  if (quantity > r.quantity || quantity <= order.filledQty || price === undefined || price <= 0n)
    throw new QtsError(
      'ERR_AMEND_QUANTITY',
      `amend of ${order.id}: quantity must be above the ${formatFixed(order.filledQty)} filled and at most the ${formatFixed(r.quantity)} ordered, price above 0`,
    );
  return { price, quantity };
}
