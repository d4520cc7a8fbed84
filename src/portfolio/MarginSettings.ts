import { MarginMode } from '../model/MarginMode.js';

/** Leverage and margin mode of one perpetual, as set on the exchange per symbol. */
export interface MarginSettings {
  readonly leverage: number;
  readonly mode: MarginMode;
}

/** Settings of a perpetual nobody configured: 1× leverage, isolated margin. */
export const DEFAULT_MARGIN_SETTINGS: MarginSettings = { leverage: 1, mode: MarginMode.ISOLATED };
