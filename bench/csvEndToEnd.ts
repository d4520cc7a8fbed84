import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBarSeries } from '../src/data/loadBarSeries.js';
import { writeBarSeriesCsv } from '../src/data/writeBarSeriesCsv.js';
import type { BarSeries } from '../src/model/BarSeries.js';
import { best, engine, rate, walk } from './backtest.js';
import { benchCliRun } from './cliRun.js';
import { onTick } from './onTick.js';

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
