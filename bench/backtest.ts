import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExactSum } from '../src/core/ExactSum.js';
import { toFixed } from '../src/core/Fixed.js';
import { runBacktest } from '../src/backtest/runBacktest.js';
import { loadBarSeries } from '../src/data/loadBarSeries.js';
import { randomWalkSeries } from '../src/data/syntheticSeries.js';
import { writeBarSeriesCsv } from '../src/data/writeBarSeriesCsv.js';
import type { BarSeries } from '../src/model/BarSeries.js';
import { sliceSeries } from '../src/data/sliceSeries.js';
import { parseSizing } from '../src/portfolio/Sizer.js';
import { findStrategy } from '../src/strategies/registry.js';

const FAST = 10;
const SLOW = 30;

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** The physical limit: SMA(10)/SMA(30) cross signals in a bare loop over the close array, same exact sums. */
function bareExactLoop(close: Float64Array): number {
  const fast = new ExactSum();
  const slow = new ExactSum();
  let signals = 0;
  let last = Number.NaN;
  let long = false;
  for (let i = 0; i < close.length; i++) {
    const c = close[i] as number;
    fast.add(c);
    slow.add(c);
    if (i >= FAST) fast.add(-(close[i - FAST] as number));
    if (i >= SLOW) slow.add(-(close[i - SLOW] as number));
    if (i < SLOW - 1) continue;
    const diff = fast.value() / FAST - slow.value() / SLOW;
    if (!Number.isNaN(last)) {
      if (!long && last < 0 && diff > 0) {
        long = true;
        signals++;
      } else if (long && last > 0 && diff < 0) {
        long = false;
        signals++;
      }
    }
    if (diff !== 0 || Number.isNaN(last)) last = diff;
  }
  return signals;
}

/** The same signals from plain running sums (what a hand-rolled loop would do): the ~150M bars/s ceiling. */
function bareRunningLoop(close: Float64Array): number {
  let sf = 0;
  let ss = 0;
  let signals = 0;
  let last = Number.NaN;
  let long = false;
  for (let i = 0; i < close.length; i++) {
    const c = close[i] as number;
    sf += c;
    ss += c;
    if (i >= FAST) sf -= close[i - FAST] as number;
    if (i >= SLOW) ss -= close[i - SLOW] as number;
    if (i < SLOW - 1) continue;
    const diff = sf / FAST - ss / SLOW;
    if (!Number.isNaN(last)) {
      if (!long && last < 0 && diff > 0) {
        long = true;
        signals++;
      } else if (long && last > 0 && diff < 0) {
        long = false;
        signals++;
      }
    }
    if (diff !== 0 || Number.isNaN(last)) last = diff;
  }
  return signals;
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const t0 = process.hrtime.bigint();
  const value = fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, value };
}

function engine(series: BarSeries, fillAt: 'close' | 'next-open') {
  return runBacktest({
    series: [series],
    strategy: findStrategy('sma-cross'),
    params: { fast: FAST, slow: SLOW },
    initialCash: 100_000,
    commission: 0.001,
    fill: { fillAt },
    sizing: parseSizing('all-in', toFixed('0.0001')),
    seed: 1,
  });
}

function rate(bars: number, ms: number): string {
  return `${(bars / (ms / 1000) / 1e6).toFixed(2)}M bars/s`;
}

/** Full-engine SMA-cross throughput on seeded random walks, as ratios to bare loops measured in the same run. */
export function benchBacktest(sizes: readonly number[]): void {
  for (const n of sizes) {
    const series = randomWalkSeries({
      symbol: 'BENCH/USDT',
      timeframe: '1m',
      length: n,
      seed: 42,
      startPrice: 100,
    });
    // Warm both paths on a slice so the JIT has compiled them before timing.
    bareExactLoop(series.close.subarray(0, 200_000));
    engine(sliceSeries(series, undefined, series.ts[Math.min(n, 200_000) - 1]), 'close');
    gc();
    const heap0 = process.memoryUsage().heapUsed;
    const running = time(() => bareRunningLoop(series.close));
    const exact = time(() => bareExactLoop(series.close));
    const full = time(() => engine(series, 'close'));
    const fullNextOpen = time(() => engine(series, 'next-open'));
    const heapAfterRun = process.memoryUsage().heapUsed;
    const report = full.value.report;
    console.log(`\n## backtest, SMA(${FAST})/SMA(${SLOW}) cross, ${n.toLocaleString('en-US')} bars`);
    console.log(
      `bare loop, running sums     ${rate(n, running.ms).padStart(18)}  (${running.ms.toFixed(0)} ms, ${running.value} signals)`,
    );
    console.log(
      `bare loop, exact sums       ${rate(n, exact.ms).padStart(18)}  (${exact.ms.toFixed(0)} ms, ${exact.value} signals) = baseline`,
    );
    console.log(
      `full engine, fill=close     ${rate(n, full.ms).padStart(18)}  (${full.ms.toFixed(0)} ms, ${report.orders} orders filled)`,
    );
    console.log(
      `full engine, fill=next-open ${rate(n, fullNextOpen.ms).padStart(18)}  (${fullNextOpen.ms.toFixed(0)} ms)`,
    );
    console.log(`ratio full engine / exact-sum bare loop   ${(exact.ms / full.ms).toFixed(3)}`);
    console.log(`ratio full engine / running-sum bare loop ${(running.ms / full.ms).toFixed(3)}`);
    console.log(
      `signals agree: ${exact.value === report.orders ? 'yes' : `NO (bare ${exact.value}, engine ${report.orders})`}`,
    );
    console.log(
      `heap held after run: ${((heapAfterRun - heap0) / n).toFixed(1)} bytes/bar (results incl. equity curve arrays are off-heap)`,
    );
  }
}

/** A 1M-bar CSV backtest end to end: parse the file, run the engine, build the report. */
export function benchCsvEndToEnd(n: number): void {
  const dir = mkdtempSync(join(tmpdir(), 'qts-bench-'));
  try {
    const file = join(dir, 'BENCH_USDT-1m.csv');
    writeBarSeriesCsv(
      file,
      randomWalkSeries({ symbol: 'BENCH/USDT', timeframe: '1m', length: n, seed: 9, startPrice: 100 }),
    );
    loadBarSeries(file); // warm-up
    const parseOnly = time(() => loadBarSeries(file));
    const total = time(() => engine(loadBarSeries(file).series, 'close'));
    console.log(`\n## CSV end to end, ${n.toLocaleString('en-US')} bars`);
    console.log(`parse CSV                 ${parseOnly.ms.toFixed(0)} ms`);
    console.log(`parse + backtest + report ${total.ms.toFixed(0)} ms  (${rate(n, total.ms)})`);
    console.log(`ratio parse / total       ${(parseOnly.ms / total.ms).toFixed(3)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
