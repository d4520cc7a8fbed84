/**
 * How a perpetual position is margined (Binance USDT-M): ISOLATED puts a fixed margin
 * behind one position, so its loss is bounded by that margin; CROSS shares the whole
 * wallet between all cross positions, so one position's loss can eat the others' margin.
 */
export const MarginMode = { ISOLATED: 'ISOLATED', CROSS: 'CROSS' } as const;
export type MarginMode = (typeof MarginMode)[keyof typeof MarginMode];

/** A margin mode as configuration and ccxt spell it. */
export type MarginModeName = 'isolated' | 'cross';

/** The ledger's margin mode for configuration's or ccxt's `isolated` / `cross`. */
export function marginModeOf(name: MarginModeName): MarginMode {
  return name === 'isolated' ? MarginMode.ISOLATED : MarginMode.CROSS;
}
