import type { Fixed } from '../core/Fixed.js';
import { ONE, ZERO, add, divTrunc, floorToStep, max } from '../core/Fixed.js';
import type { Instrument } from '../model/Instrument.js';
import { feeInBase } from '../model/Instrument.js';
import type { Order } from '../model/Order.js';

/**
 * The most a sell may ask for out of `held` coins, when the instrument also takes the sell's
 * fee in the base coin (feeSide 'base', or 'give': the seller gives the coin): the exchange
 * then needs qty + qty × rate of them, and refuses a sell of everything held for want of
 * coins. The quantity is held ÷ (1 + rate), floored to the lot, at the higher of the maker
 * and taker rates: a limit sell placed below the market takes. What is left over (under a lot
 * and the fee's rounding) stays in the account as dust. Where the fee is paid in the quote
 * currency the whole of `held` can be sold.
 */
export function sellableWithFee(inst: Instrument, held: Fixed): Fixed {
  if (!feeInBase(inst, 'SELL')) return held;
  const rate = max(inst.makerFee, inst.takerFee);
  // Truncated division: qty × (1 + rate) never exceeds held, and the venue rounds the fee down.
  return floorToStep(divTrunc(held, add(ONE, rate)), inst.lotSize);
}

/** The fees an order's fills paid in the instrument's base coin: coins gone from the account. */
export function feesInBase(inst: Instrument, order: Order): Fixed {
  let fees = ZERO;
  for (const e of order.events) {
    if (e.type === 'OrderFilled' && e.feeCurrency === inst.base) fees = add(fees, e.fee);
  }
  return fees;
}
