import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBarSeries } from '../src/data/loadBarSeries.js';
import { writeBarSeriesCsv } from '../src/data/writeBarSeriesCsv.js';
import type { BarSeries } from '../src/model/BarSeries.js';
import { allocBarSeries } from '../src/model/BarSeries.js';
import { best, engine, rate, walk } from './backtest.js';
import { benchCliRun } from './cliRun.js';

/**
 * The walk as an exchange would print it: prices on a 0.01 tick, volume to 4 decimals (the
 * walk itself carries every float digit, 16-17 significant ones, which no exchange prints and
 * which make the file twice as long and the slowest to parse). High and low still bracket
 * open and close after rounding.
 */
function onTick(s: BarSeries): BarSeries {
  const out = allocBarSeries(s.symbol, s.timeframe, s.length);
  const cents = (x: number): number => Math.round(x * 100) / 100;
  for (let i = 0; i < s.length; i++) {
    const o = cents(s.open[i] as number);
    const c = cents(s.close[i] as number);
    out.ts[i] = s.ts[i] as number;
    out.open[i] = o;
    out.close[i] = c;
    out.high[i] = Math.max(cents(s.high[i] as number), o, c);
    out.low[i] = Math.min(cents(s.low[i] as number), o, c);
    out.volume[i] = Math.round((s.volume[i] as number) * 1e4) / 1e4;
  }
  return out;
}

/**
 * A 1M-bar CSV backtest end to end: parse the file, run the engine, build the report; in this
 * process (best of 3) and as the README's `qts backtest` command in a new one. Two files of the
 * same walk: every float digit, and on a tick.
 */
export function benchCsvEndToEnd(n: number): void {
  const dir = mkdtempSync(join(tmpdir(), 'qts-bench-'));
  try {
    const raw = walk(n, 9);
    const files: [string, BarSeries][] = [
      ['with every float digit', raw],
      ['on a 0.01 tick', onTick(raw)],
    ];
    for (const [label, series] of files) {
      const file = join(dir, `BENCH_USDT-1m.csv`);
      writeBarSeriesCsv(file, series);
      engine(loadBarSeries(file).series, 'close'); // warm-up
      const parseOnly = best(3, () => loadBarSeries(file));
      const total = best(3, () => engine(loadBarSeries(file).series, 'close').report);
      console.log(`\n## CSV end to end, ${n.toLocaleString('en-US')} bars, prices ${label} (best of 3)`);
      console.log(`parse CSV                 ${parseOnly.ms.toFixed(0)} ms`);
      console.log(
        `parse + backtest + report ${total.ms.toFixed(0)} ms  (${rate(n, total.ms)}, ${total.value.orders} orders filled)`,
      );
      console.log(`ratio parse / total       ${(parseOnly.ms / total.ms).toFixed(3)}`);
      benchCliRun(file, n);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
