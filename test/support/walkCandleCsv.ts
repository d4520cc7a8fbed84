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
 * `n` rows of a freqtrade 1m candle CSV (no header): a seeded random walk with prices at full
 * double precision, so a parser meets long digit strings as in real exported files.
 */
export function walkCandleRows(n: number, at: WalkIrregularities = {}, seed = 7): string[] {
  const rows: string[] = [];
  let price = 100;
  let t = WALK_T0;
  let state = seed;
  const step = (): number => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31 - 0.5;
  };
  for (let i = 0; i < n; i++) {
    price *= 1 + step() * 0.004;
    const o = price;
    const c = price * (1 + step() * 0.002);
    rows.push(`${t},${o},${Math.max(o, c) * 1.001},${Math.min(o, c) * 0.999},${c},${(i % 89) + 0.5}`);
    t += i === at.gapAfter ? 4 * MINUTE : i === at.offGridAfter ? MINUTE + 30_000 : MINUTE;
  }
  return rows;
}

/** The rows under the freqtrade header, one per line. */
export function candleCsvText(rows: readonly string[]): string {
  return `timestamp,open,high,low,close,volume\n${rows.join('\n')}\n`;
}
