import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CandleCsvStream } from '../src/data/CandleCsvStream.js';
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
export async function benchCsvEndToEnd(n: number): Promise<void> {
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
      const streamed = await bestStreamed(3, file);
      console.log(
        `read on a second thread   ${streamed.ms.toFixed(0)} ms  (the run on the rows already read, as qts backtest does; ${(streamed.ms / total.ms).toFixed(3)} of the above)`,
      );
      if (streamed.sha !== total.value.tradeLogSha256) throw new Error('streamed run differs');
      benchCliRun(file, n);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The same run on the file as CandleCsvStream reads it on a second thread (a new thread each
 * time, its parser cold as in `qts backtest`), best of `reps`.
 */
async function bestStreamed(reps: number, file: string): Promise<{ ms: number; sha: string }> {
  let ms = Infinity;
  let sha = '';
  for (let r = 0; r < reps; r++) {
    (globalThis as { gc?: () => void }).gc?.();
    const t0 = performance.now();
    // Every size streams here (qts backtest streams from 8 MiB), so --quick measures it too.
    const stream = CandleCsvStream.start(file, { minBytes: 0 });
    const series = await stream?.columns();
    if (stream === undefined || series === undefined) throw new Error(`${file} does not stream`);
    const report = engine(series, 'close', undefined, undefined, undefined, (k) =>
      stream.awaitBars(k),
    ).report;
    ms = Math.min(ms, performance.now() - t0);
    sha = report.tradeLogSha256;
    stream.stop();
  }
  return { ms, sha };
}
