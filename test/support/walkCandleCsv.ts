import { randomWalkSeries } from '../../src/data/syntheticSeries.js';
import { CANDLE_CSV_HEADER, candleCsvRow } from '../../src/data/writeBarSeriesCsv.js';

/** Open time of the first row of walkCandleRows. */
export const WALK_T0 = Date.UTC(2024, 0, 1);
const MINUTE = 60_000;

/** Where walkCandleRows leaves bars out or off the grid. */
export interface WalkIrregularities {
  /** After this row, 3 bars are missing (a gap). */
  readonly gapAfter?: number;
  /** After this row, the next starts 90 s later (off the minute grid). */
  readonly offGridAfter?: number;
}

/**
 * `n` rows of a freqtrade 1m candle CSV (no header) from a seeded random walk, prices at full
 * double precision as in real exported files, as lines a test can edit before writing them.
 */
export function walkCandleRows(n: number, at: WalkIrregularities = {}, seed = 7): string[] {
  const s = randomWalkSeries({
    symbol: 'WALK/USDT',
    timeframe: '1m',
    length: n,
    seed,
    start: WALK_T0,
    volatility: 0.002,
  });
  let shift = 0;
  const rows: string[] = [];
  for (let i = 0; i < n; i++) {
    s.ts[i] = (s.ts[i] as number) + shift;
    rows.push(candleCsvRow(s, i));
    if (i === at.gapAfter) shift += 3 * MINUTE;
    if (i === at.offGridAfter) shift += 30_000;
  }
  return rows;
}

/** The rows under the freqtrade header, one per line. */
export function candleCsvText(rows: readonly string[]): string {
  return `${CANDLE_CSV_HEADER}\n${rows.join('\n')}\n`;
}
