import type { Fixed } from '../core/Fixed.js';
import { ZERO, add, neg, sub, toNumber } from '../core/Fixed.js';
import type { FillRecord } from '../storage/sqlite/FillStore.js';

/** What the journal says of a position's round trip still open: whose it is, and its fees so far. */
export interface OpenTrip {
  readonly strategyId: string;
  /** Fees its fills paid in the settle currency (a fee taken in the coin is in the PnL already). */
  readonly fees: number;
}

/** Fills read per page, newest first, while looking for where a trip began. */
const PAGE = 500;

/**
 * The round trip of a position of `qty` (signed), read back from the journal newest fill first
 * until the fills add up to the whole position: those are the trip's fills (the oldest one
 * opened it from flat). The strategy is that of the newest fill, as a live booking keeps it.
 * Undefined when the journal holds no fill of the symbol (a position only reconciliation knows);
 * a journal that never adds up (reconciliation moved the position) gives its fills' figures.
 */
export function openTripFromFills(
  page: (limit: number, offset: number) => readonly FillRecord[],
  qty: Fixed,
  settleCurrency: string,
): OpenTrip | undefined {
  let remaining = qty;
  let fees = ZERO;
  let strategyId: string | undefined;
  for (let offset = 0; ; offset += PAGE) {
    const fills = page(PAGE, offset);
    for (const f of fills) {
      strategyId ??= f.strategyId;
      if (f.feeCurrency === settleCurrency) fees = add(fees, f.fee);
      remaining = sub(remaining, f.side === 'BUY' ? f.qty : neg(f.qty));
      if (remaining === ZERO) return { strategyId, fees: toNumber(fees) };
    }
    if (fills.length < PAGE)
      return strategyId === undefined ? undefined : { strategyId, fees: toNumber(fees) };
  }
}
