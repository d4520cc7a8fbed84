import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomWalkSeries } from '../../src/data/syntheticSeries.js';
import { DEFAULT_BACKTEST_SETTINGS } from '../../src/research/BacktestSettings.js';
import { InlineEvaluator } from '../../src/research/ComboEvaluator.js';
import type { ComboTask } from '../../src/research/ComboTask.js';
import { threadCpu } from '../../src/research/threadCpu.js';
import { ThreadPoolEvaluator } from '../../src/research/ThreadPoolEvaluator.js';
import { findStrategy } from '../../src/strategies/registry.js';

// Short series: a backtest takes about a millisecond, so a message per task would be all
// overhead; this is where chunking shows.
const series = [
  randomWalkSeries({ symbol: 'SYN/USDT', timeframe: '1h', length: 400, seed: 5, volatility: 0.01 }),
];
const strategy = findStrategy('sma-cross');
const settings = { ...DEFAULT_BACKTEST_SETTINGS, commission: 0.0005 };
const tasks: ComboTask[] = Array.from({ length: 300 }, (_, i) => ({
  params: { fast: 2 + (i % 30), slow: 40 + Math.floor(i / 30) * 5 },
}));

describe('ThreadPoolEvaluator', () => {
  let pool: ThreadPoolEvaluator;
  beforeAll(() => {
    // A chunk target far above any task's time: chunks are sized by the even-share rule alone,
    // so their count does not depend on how loaded the machine is (the time-based rule is
    // chunkSize's own test). With the default 20 ms, a busy machine made tasks slow enough
    // that chunks carried one or two tasks.
    pool = ThreadPoolEvaluator.start({
      series,
      strategyId: strategy.id,
      settings,
      workers: 2,
      chunkTargetMs: 600_000,
    });
  });
  afterAll(async () => {
    await pool.close();
  });

  it('returns the metrics in task order, equal to the calling thread, with fast tasks batched per message', async () => {
    const seen: number[] = [];
    const got = await pool.evaluate(tasks, (done) => seen.push(done));
    const inline = await new InlineEvaluator(series, strategy, settings).evaluate(tasks);
    expect(got).toEqual(inline);
    // Progress only grows and ends at the batch size.
    expect(seen.at(-1)).toBe(tasks.length);
    for (let k = 1; k < seen.length; k++) expect(seen[k]!).toBeGreaterThan(seen[k - 1]!);
    const usage = await pool.usage();
    expect(usage.reduce((n, u) => n + u.tasks, 0)).toBe(tasks.length);
    const chunks = usage.reduce((n, u) => n + u.chunks, 0);
    expect(chunks).toBe(seen.length);
    expect(chunks).toBeLessThan(tasks.length / 2);
    // Both threads took part.
    for (const u of usage) expect(u.tasks).toBeGreaterThan(0);
  });

  it('reports each thread’s own CPU time and event-loop activity', async () => {
    const before = await pool.usage();
    await pool.evaluate(tasks.slice(0, 100));
    const after = await pool.usage();
    after.forEach((u, k) => {
      const b = before[k]!;
      expect(u.activeMs).toBeGreaterThan(b.activeMs);
      expect(u.idleMs).toBeGreaterThanOrEqual(b.idleMs);
      if (threadCpu() === undefined) return; // not Linux: the kernel gives no per-thread counters
      expect(u.cpu).not.toBeNull();
      expect(u.cpu!.cpuMs).toBeGreaterThan(b.cpu!.cpuMs);
      expect(u.cpu!.runQueueMs).toBeGreaterThanOrEqual(b.cpu!.runQueueMs);
    });
  });

  it('a combination the strategy refuses fails the batch with its coded error, and the pool stays closed to work', async () => {
    const p = ThreadPoolEvaluator.start({ series, strategyId: strategy.id, settings, workers: 2 });
    try {
      const bad = [...tasks.slice(0, 20), { params: { fast: 50, slow: 10 } }, ...tasks.slice(20, 40)];
      await expect(p.evaluate(bad)).rejects.toMatchObject({ code: 'ERR_INVALID_PARAMS' });
      await expect(p.evaluate(tasks.slice(0, 2))).rejects.toMatchObject({ code: 'ERR_INVALID_PARAMS' });
    } finally {
      await p.close();
    }
  });

  it('refuses a bad thread count, young generation size or chunk target with a coded error', () => {
    expect(() =>
      ThreadPoolEvaluator.start({ series, strategyId: strategy.id, settings, workers: 0 }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }));
    expect(() =>
      ThreadPoolEvaluator.start({
        series,
        strategyId: strategy.id,
        settings,
        workers: 1,
        youngGenerationMb: 0,
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }));
    expect(() =>
      ThreadPoolEvaluator.start({ series, strategyId: strategy.id, settings, workers: 1, chunkTargetMs: 0 }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }));
  });
});

describe('threadCpu', () => {
  it('counts the calling thread only: busy, its CPU time and run-queue wait add up to the wall time', () => {
    const a = threadCpu();
    if (a === undefined) return; // not Linux: the kernel gives no per-thread counters
    const t0 = performance.now();
    let x = 0;
    while (performance.now() - t0 < 100) x += Math.sqrt(x + 1);
    const wall = performance.now() - t0;
    const b = threadCpu()!;
    expect(x).toBeGreaterThan(0);
    const cpu = b.cpuMs - a.cpuMs;
    const wait = b.runQueueMs - a.runQueueMs;
    expect(cpu).toBeGreaterThan(0);
    expect(wait).toBeGreaterThanOrEqual(0);
    // A busy thread is either on a core or waiting for one, so the two add up to the wall
    // time; the kernel settles a running thread's counters at ticks (and a loaded machine
    // adds page faults and tick skew), hence the slack — it cannot exceed the wall by much.
    expect(cpu + wait).toBeLessThan(wall + 15);
    expect(cpu + wait).toBeGreaterThan(wall * 0.75);
  });
});
