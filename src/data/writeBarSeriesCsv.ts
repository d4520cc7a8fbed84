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
  const { ts, open, high, low, close, volume, length } = series;
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, 'timestamp,open,high,low,close,volume\n');
    for (let start = 0; start < length; start += ROWS_PER_WRITE) {
      const end = Math.min(length, start + ROWS_PER_WRITE);
      const rows: string[] = [];
      for (let i = start; i < end; i++) {
        rows.push(
          `${ts[i] as number},${open[i] as number},${high[i] as number},${low[i] as number},${close[i] as number},${volume[i] as number}`,
        );
      }
      writeSync(fd, `${rows.join('\n')}\n`);
    }
  } finally {
    closeSync(fd);
  }
}
