import type { Fixed } from '../core/Fixed.js';
import { ZERO, add } from '../core/Fixed.js';
import type { Instrument } from '../model/Instrument.js';
import type { Order } from '../model/Order.js';

/** The fees an order's fills paid in the instrument's base coin: coins gone from the account. */
export function feesInBase(inst: Instrument, order: Order): Fixed {
  let fees = ZERO;
  for (const e of order.events) {
    if (e.type === 'OrderFilled' && e.feeCurrency === inst.base) fees = add(fees, e.fee);
  }
  return fees;
}
