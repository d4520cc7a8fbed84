import type { Fixed } from '../core/Fixed.js';

/**
 * What happens next to one resting order along a bar's walk, at path time `t`:
 * its trigger is touched, it fills, or (IOC/FOK) it must be canceled because it could not
 * execute on arrival. `atStart` marks an event at the order's entry point in this walk
 * (the bar's open, the submit price, the trigger point, a bracket child's activation),
 * where a gap can give a price beyond the level.
 */
export type MatchEvent =
  | {
      readonly kind: 'trigger' | 'fill';
      readonly t: number;
      readonly atStart: boolean;
      /** Exact price before slippage: the level, or the start price when already through it. */
      readonly px: Fixed;
      /** The same price as a float, for the walk that continues from here. */
      readonly pxF: number;
    }
  | { readonly kind: 'expire'; readonly t: number };

/** A trigger or fill event: one that happens at a price. */
export type PricedEvent = Exclude<MatchEvent, { kind: 'expire' }>;
