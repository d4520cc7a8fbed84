import { closeSync, openSync, writeSync } from 'node:fs';
import type { BarSeries } from '../model/BarSeries.js';

const ROWS_PER_WRITE = 16_384;

/**
 * Writes a series as a freqtrade candle CSV (`timestamp,open,high,low,close,volume`, open
 * time in Unix ms), the format loadBarSeries reads back. Numbers are written in JavaScript's
 * shortest round-trip form, so a write then load gives bit-identical values. Written in
 * chunks so a multi-million-row series never becomes one giant string.
 */
export function writeBarSeriesCsv(path: string, series: BarSeries): void {
  const length = series.length;
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, `${CANDLE_CSV_HEADER}\n`);
    for (let start = 0; start < length; start += ROWS_PER_WRITE) {
      const end = Math.min(length, start + ROWS_PER_WRITE);
      const rows: string[] = [];
      for (let i = start; i < end; i++) rows.push(candleCsvRow(series, i));
      writeSync(fd, `${rows.join('\n')}\n`);
    }
  } finally {
    closeSync(fd);
  }
}

/** The header line of a freqtrade candle CSV. */
export const CANDLE_CSV_HEADER = 'timestamp,open,high,low,close,volume';

/** Bar `i` of a series as a freqtrade CSV row (no newline), numbers in shortest round-trip form. */
export function candleCsvRow(s: BarSeries, i: number): string {
  return `${s.ts[i] as number},${s.open[i] as number},${s.high[i] as number},${s.low[i] as number},${s.close[i] as number},${s.volume[i] as number}`;
}
