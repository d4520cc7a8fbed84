import type { StableMap } from '../core/StableMap.js';
import type { OpenTrip } from './openTrip.js';
import { finish } from './openTrip.js';
import type { FillRecord, RoundTrip } from './types.js';

/** Last known price of a symbol at the end of the run, used to mark trips still open. */
export interface LastPrice {
  readonly price: number;
  readonly ts: number;
  readonly barIndex: number;
}

/**
 * Marks the trips still open to the last prices, in the order they opened, and returns all
 * trips by entry time. The sort is stable: ties keep the order trips completed in.
 */
export function markOpenTrips(
  trips: StableMap<OpenTrip>,
  done: RoundTrip[],
  fills: readonly FillRecord[],
  lastPrices: ReadonlyMap<string, LastPrice>,
): RoundTrip[] {
  const open: OpenTrip[] = [];
  for (const trip of trips.values()) if (trip.opened > 0) open.push(trip);
  open.sort(byOpening);
  for (const trip of open) {
    const mark = lastPrices.get(trip.symbol) ?? lastFillOf(fills, trip.symbol);
    if (mark !== undefined) {
      trip.exitNotional += trip.position * mark.price;
      trip.exitQty += trip.position;
      trip.exitTs = Math.max(trip.exitTs, mark.ts);
      trip.exitBar = Math.max(trip.exitBar, mark.barIndex);
      trip.position = 0;
    }
    done.push(finish(trip, false));
  }
  return done.sort(byEntryTime);
}

// Comparators made once: an arrow written at the call would be a new closure every report,
// each compiled afresh while the sort ran.
function byOpening(a: OpenTrip, b: OpenTrip): number {
  return a.opened - b.opened;
}

function byEntryTime(a: RoundTrip, b: RoundTrip): number {
  return a.entryTs - b.entryTs;
}

/** The last usable fill of a symbol (a fill record carries the price, time and bar index a mark needs). */
function lastFillOf(fills: readonly FillRecord[], symbol: string): LastPrice | undefined {
  for (let k = fills.length - 1; k >= 0; k--) {
    const fill = fills[k] as FillRecord;
    if (fill.symbol === symbol && fill.quantity > 0 && Number.isFinite(fill.price)) return fill;
  }
  return undefined;
}
