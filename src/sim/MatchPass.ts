import type { Millis } from '../core/time.js';
import type { BarPaths } from './IntrabarPath.js';

/** One matching walk: a bar, or the current close for orders filling on submit. */
export interface MatchPass {
  /** Marks the orders placed on this walk (see RestingOrder.place). */
  readonly epoch: number;
  /** Event time of everything that happens in this walk. */
  readonly ts: Millis;
  /** The bar's volume, which caps what orders may fill in it (see FillModel.volumeCap). */
  readonly volume: number;
  readonly paths: BarPaths;
  /** Milliseconds the walk covers: the bar's timeframe; 0 for one price (a trade, the current close). */
  readonly span: number;
}

/**
 * Path time (0 = open … 3 = close) at which an order reaching the venue at `arrival` joins
 * the walk: 0 if it was there at the open, its share of the bar if it arrives inside it (a
 * latency shorter than the bar costs that share of the bar, not the whole bar), undefined
 * if it arrives after the walk.
 */
export function arrivalTime(pass: MatchPass, arrival: Millis): number | undefined {
  if (arrival <= pass.ts) return 0;
  if (arrival >= pass.ts + pass.span) return undefined;
  return (3 * (arrival - pass.ts)) / pass.span;
}
