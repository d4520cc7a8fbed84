/**
 * How a perpetual position is margined (Binance USDT-M): ISOLATED puts a fixed margin
 * behind one position, so its loss is bounded by that margin; CROSS shares the whole
 * wallet between all cross positions, so one position's loss can eat the others' margin.
 */
export const MarginMode = { ISOLATED: 'ISOLATED', CROSS: 'CROSS' } as const;
export type MarginMode = (typeof MarginMode)[keyof typeof MarginMode];
