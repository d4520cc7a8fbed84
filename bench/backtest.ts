import { z } from 'zod';
import { ExactSum } from '../src/core/ExactSum.js';
import { WindowSum } from '../src/core/WindowSum.js';
import { toFixed } from '../src/core/Fixed.js';
import type { BacktestResult } from '../src/backtest/runBacktest.js';
import { runBacktest } from '../src/backtest/runBacktest.js';
import { randomWalkSeries } from '../src/data/syntheticSeries.js';
import type { BarSeries } from '../src/model/BarSeries.js';
import { sliceSeries } from '../src/data/sliceSeries.js';
import { parseSizing } from '../src/portfolio/Sizer.js';
import { findStrategy } from '../src/strategies/registry.js';
import type { Bar } from '../src/model/Bar.js';
import { CrossOver } from '../src/strategy/CrossOver.js';
import { RollingSma } from '../src/strategy/RollingSma.js';
import { Strategy } from '../src/strategy/Strategy.js';
import type { AnyStrategyClass } from '../src/strategy/Strategy.js';
import { onTick } from './onTick.js';

const FAST = 10;
const SLOW = 30;
/**
 * Per-bar volatility of the 1M-bar walk; longer walks get σ·√(1M/n), so every length wanders
 * the same distance (σ·√n ≈ 1 in log price) instead of a 10M-bar walk drifting to prices
 * of 1e±13, where plain running sums no longer see the same crosses as exact ones.
 */
const SIGMA_1M = 0.001;
/**
 * No commission in the headline runs: all-in SMA crossing on a random walk trades ~20,000
 * round trips per million bars, and any fee drains the account until buys are denied for
 * want of cash. Without fees every cross becomes a filled order (the engine's heaviest
 * path), and the orders can be checked against the bare loop's signals one for one.
 */
const COMMISSION = 0;

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** A window sum: WindowSum (what RollingSma keeps) or Shewchuk's partials (ExactSum). */
interface ExactWindowSum {
  add(x: number): void;
  value(): number;
}

/** The physical limit: SMA(10)/SMA(30) cross signals in a bare loop over the close array, same exact sums. */
function bareExactLoop(close: Float64Array, kind: 'window' | 'partials' = 'window'): number {
  const fast: ExactWindowSum = kind === 'window' ? new WindowSum() : new ExactSum();
  const slow: ExactWindowSum = kind === 'window' ? new WindowSum() : new ExactSum();
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

/** The same signals from plain running sums (what a hand-rolled loop would do): the ceiling. */
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

/** Best wall time of `reps` runs (the machine may be shared: the fastest run is the least disturbed). */
export function best<T>(reps: number, fn: () => T): { ms: number; value: T } {
  let ms = Infinity;
  let value: T | undefined;
  for (let r = 0; r < reps; r++) {
    value = undefined; // let the previous result go before the next run allocates
    gc();
    const t0 = process.hrtime.bigint();
    value = fn();
    ms = Math.min(ms, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { ms, value: value as T };
}

/**
 * sma-cross's signals without its orders: the same averages and cross on every bar through
 * the same engine, so the difference to the full run is what the orders cost.
 */
export class SignalsOnly extends Strategy<{ fast: number; slow: number }> {
  static readonly id = 'signals-only';
  static readonly description = 'SMA cross signals, no orders (benchmark)';
  static readonly paramsSchema = z.object({ fast: z.number().int(), slow: z.number().int() });
  private readonly fast = new RollingSma(this.params.fast);
  private readonly slow = new RollingSma(this.params.slow);
  private readonly cross = new CrossOver();
  crosses = 0;

  override onBar(bar: Bar): void {
    const close = bar.close;
    if (this.cross.update(this.fast.update(close), this.slow.update(close)) !== 0) this.crosses++;
  }
}

export function engine(
  series: BarSeries,
  fillAt: 'close' | 'next-open',
  commission = COMMISSION,
  strategy: AnyStrategyClass = findStrategy('sma-cross'),
  onProgress?: (done: number, total: number) => void,
  awaitBars?: (count: number) => void,
): BacktestResult {
  return runBacktest({
    series: [series],
    strategy,
    params: { fast: FAST, slow: SLOW },
    initialCash: 100_000,
    commission,
    fill: { fillAt },
    sizing: parseSizing('all-in', toFixed('0.0001')),
    seed: 1,
    ...(onProgress === undefined ? {} : { onProgress }),
    ...(awaitBars === undefined ? {} : { awaitBars }),
  });
}

/** A fill=close run and how long its report took: the time from the last bar to the result. */
function engineWithReportTime(series: BarSeries): { report: BacktestResult['report']; reportMs: number } {
  let loopEnd = 0;
  const result = engine(series, 'close', COMMISSION, findStrategy('sma-cross'), (done, total) => {
    if (done === total) loopEnd = performance.now();
  });
  return { report: result.report, reportMs: performance.now() - loopEnd };
}

export function walk(n: number, seed: number): BarSeries {
  return randomWalkSeries({
    symbol: 'BENCH/USDT',
    timeframe: '1m',
    length: n,
    seed,
    startPrice: 100,
    volatility: SIGMA_1M * Math.sqrt(1_000_000 / n),
  });
}

export function rate(bars: number, ms: number): string {
  return `${(bars / (ms / 1000) / 1e6).toFixed(2)}M bars/s`;
}

/** Heap and array-buffer bytes in use after a full collection. */
function memoryNow(): { heap: number; buffers: number } {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, buffers: m.arrayBuffers };
}

/**
 * Memory of one fill=close run: what the result holds (fills, trade log, report, the node)
 * and what stays after the result is dropped, both after full collections, per bar.
 */
function memoryOfRun(series: BarSeries): {
  fills: number;
  held: number;
  heldBuffers: number;
  left: number;
  leftBuffers: number;
} {
  const before = memoryNow();
  let result: BacktestResult | undefined = engine(series, 'close');
  const withResult = memoryNow();
  // Read after the measurement, so the result is surely alive during it.
  const fills = result.fills.length;
  result = undefined;
  const after = memoryNow();
  const n = series.length;
  return {
    fills,
    held: (withResult.heap - before.heap) / n,
    heldBuffers: (withResult.buffers - before.buffers) / n,
    left: (after.heap - before.heap) / n,
    leftBuffers: (after.buffers - before.buffers) / n,
  };
}

/**
 * The young generation the run got: a fill allocates a few short-lived objects (order, events,
 * exact amounts) that the OMS and the venue remember for their last 1024 orders, and with
 * V8's default 16 MB semi-space they outlive two scavenges and get promoted. `npm run bench`
 * passes --max-semi-space-size=64 (measured 15-25% faster); printed so figures from other
 * command lines can be told apart.
 */
function youngGeneration(): string {
  const args = [...process.execArgv, ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/)];
  const flag = args.find((a) => a.startsWith('--max-semi-space-size'));
  return flag === undefined ? 'V8 default semi-space (no --max-semi-space-size)' : flag;
}

/** Full-engine SMA-cross throughput on seeded random walks, as ratios to bare loops measured in the same run. */
export function benchBacktest(sizes: readonly number[]): void {
  console.log(`young generation: ${youngGeneration()}`);
  for (const n of sizes) {
    const series = walk(n, 42);
    // Best of 5 below 2M bars: on a shared machine the fastest run is the least disturbed, and
    // the first runs of a process still compile the once-per-run code (report, statistics).
    const reps = n > 2_000_000 ? 2 : 5;
    // Warm both paths on a slice so the JIT has compiled them before timing.
    bareExactLoop(series.close.subarray(0, 200_000));
    engine(sliceSeries(series, undefined, series.ts[Math.min(n, 200_000) - 1]), 'close');
    const running = best(reps, () => bareRunningLoop(series.close));
    const exact = best(reps, () => bareExactLoop(series.close));
    const partials = best(reps, () => bareExactLoop(series.close, 'partials'));
    const full = best(reps, () => engineWithReportTime(series));
    const fullNextOpen = best(reps, () => engine(series, 'next-open').report);
    const ticked = onTick(series);
    const fullOnTick = best(reps, () => engine(ticked, 'close').report);
    // Last, so a second strategy class on the bar path cannot slow the headline runs.
    const signalsOnly = best(reps, () => engine(series, 'close', COMMISSION, SignalsOnly).report);
    const memory = memoryOfRun(series);
    const report = full.value.report;
    console.log(
      `\n## backtest, SMA(${FAST})/SMA(${SLOW}) cross, ${n.toLocaleString('en-US')} bars` +
        ` (random walk σ=${(SIGMA_1M * Math.sqrt(1_000_000 / n)).toPrecision(3)}, all-in, no commission; best of ${reps})`,
    );
    console.log(
      `bare loop, running sums     ${rate(n, running.ms).padStart(18)}  (${running.ms.toFixed(0)} ms, ${running.value} signals)`,
    );
    console.log(
      `bare loop, exact sums       ${rate(n, exact.ms).padStart(18)}  (${exact.ms.toFixed(0)} ms, ${exact.value} signals) = baseline`,
    );
    console.log(
      `bare loop, Shewchuk sums    ${rate(n, partials.ms).padStart(18)}  (${partials.ms.toFixed(0)} ms, ${partials.value} signals; ExactSum, the earlier baseline)`,
    );
    console.log(
      `engine, signals, no orders  ${rate(n, signalsOnly.ms).padStart(18)}  (${signalsOnly.ms.toFixed(0)} ms: bus, data, strategy, venue and ledger per bar, report)`,
    );
    console.log(
      `full engine, fill=close     ${rate(n, full.ms).padStart(18)}  (${full.ms.toFixed(0)} ms, ${report.orders} orders filled, ${report.ordersDenied} denied)`,
    );
    console.log(
      `full engine, fill=next-open ${rate(n, fullNextOpen.ms).padStart(18)}  (${fullNextOpen.ms.toFixed(0)} ms, ${fullNextOpen.value.orders} orders filled)`,
    );
    console.log(
      `full engine, 0.01 tick      ${rate(n, fullOnTick.ms).padStart(18)}  (${fullOnTick.ms.toFixed(0)} ms, ${fullOnTick.value.orders} orders filled; fill=close, the walk's prices on a 0.01 tick)`,
    );
    console.log(
      `  of which the report      ${full.value.reportMs.toFixed(0).padStart(18)} ms  (statistics, fill records, trade log and its SHA-256, round trips)`,
    );
    // The same run up to its report: every bar through bus, data, strategy, indicators, risk,
    // OMS, venue and ledger, and nothing after the last bar.
    const barsMs = full.ms - full.value.reportMs;
    console.log(
      `  the bars alone           ${rate(n, barsMs).padStart(18)}  (${barsMs.toFixed(0)} ms of the fill=close run before its report)`,
    );
    console.log(
      `orders: ${(full.ms - signalsOnly.ms).toFixed(0)} ms of the fill=close run, ${(((full.ms - signalsOnly.ms) / Math.max(1, report.orders)) * 1000).toFixed(2)} µs per filled order`,
    );
    console.log(`ratio full engine / exact-sum bare loop   ${(exact.ms / full.ms).toFixed(3)}`);
    console.log(`ratio full engine / running-sum bare loop ${(running.ms / full.ms).toFixed(3)}`);
    console.log(
      `signals agree: ${exact.value === report.orders && running.value === exact.value ? 'yes' : `NO (bare exact ${exact.value}, bare running ${running.value}, engine ${report.orders})`}`,
    );
    console.log(
      `memory per bar after full gc, result held (${memory.fills} fills): ${memory.held.toFixed(1)} B heap + ${memory.heldBuffers.toFixed(1)} B arrays`,
    );
    console.log(
      `memory per bar after full gc, result dropped:        ${memory.left.toFixed(1)} B heap + ${memory.leftBuffers.toFixed(1)} B arrays`,
    );
  }
}

/**
 * The run as first measured (0.1% commission): the fees drain the all-in account, so only
 * the first ~half of the crosses fill and later buys are denied for want of cash. Kept
 * for comparison with figures taken before the benchmark changed.
 */
export function benchDrainedAccount(n: number): void {
  const series = randomWalkSeries({
    symbol: 'BENCH/USDT',
    timeframe: '1m',
    length: n,
    seed: 42,
    startPrice: 100,
  });
  engine(sliceSeries(series, undefined, series.ts[Math.min(n, 200_000) - 1]), 'close', 0.001);
  const run = best(3, () => engine(series, 'close', 0.001).report);
  console.log(
    `\n## the earlier benchmark run: σ=0.01, 0.1% commission, ${n.toLocaleString('en-US')} bars (best of 3)`,
  );
  console.log(
    `full engine, fill=close     ${rate(n, run.ms).padStart(18)}  (${run.ms.toFixed(0)} ms, ${run.value.orders} orders filled, ${run.value.ordersDenied} denied)`,
  );
}
