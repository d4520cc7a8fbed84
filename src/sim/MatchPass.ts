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
}
