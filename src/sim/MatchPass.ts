import type { Fixed } from '../core/Fixed.js';
import { fromNumber, roundToStep } from '../core/Fixed.js';
import type { Millis } from '../core/time.js';
import type { BarPaths, IntrabarPath } from './IntrabarPath.js';

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

/**
 * Where a walk stands at path time `t`, as a price the market could trade at: between two
 * vertices the straight line, rounded to the nearest tick within that leg.
 */
export function arrivalPrice(path: IntrabarPath, t: number, tick: Fixed): Fixed {
  const s = Math.floor(t);
  if (s === t || s >= 3) return fromNumber(path.priceAt(t));
  const a = path.point(s);
  const b = path.point(s + 1);
  const px = roundToStep(fromNumber(path.priceAt(t)), tick);
  const lo = fromNumber(Math.min(a, b));
  const hi = fromNumber(Math.max(a, b));
  return px < lo ? lo : px > hi ? hi : px;
}
