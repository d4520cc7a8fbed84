import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/runBacktest.js';
import { randomWalkSeries } from '../../src/data/syntheticSeries.js';
import { DEFAULT_BACKTEST_SETTINGS, backtestConfig } from '../../src/research/BacktestSettings.js';
import { InlineEvaluator } from '../../src/research/ComboEvaluator.js';
import { metricsOf } from '../../src/research/ComboMetrics.js';
import { dataInfo } from '../../src/research/DataInfo.js';
import { findObjective, rankByObjective } from '../../src/research/objectives.js';
import { buildOptimizationReport, researchJson } from '../../src/research/OptimizationReport.js';
import type { SearchOptions } from '../../src/research/optimize.js';
import { optimize } from '../../src/research/optimize.js';
import { buildParamSpace } from '../../src/research/ParamSpace.js';
import { ThreadPoolEvaluator } from '../../src/research/ThreadPoolEvaluator.js';
import { renderOptimizationHtml } from '../../src/research/html/optimizationHtml.js';
import { findStrategy } from '../../src/strategies/registry.js';

const series = [
  randomWalkSeries({ symbol: 'SYN/USDT', timeframe: '1h', length: 3000, seed: 11, volatility: 0.01 }),
];
const strategy = findStrategy('sma-cross');
const settings = { ...DEFAULT_BACKTEST_SETTINGS, commission: 0.0005 };
const space = buildParamSpace(strategy, ['fast=5:25:5', 'slow=10,20,40,60']);
const objective = findObjective('sharpe');

function reportJson(outcome: Awaited<ReturnType<typeof optimize>>, opts: SearchOptions): string {
  return researchJson(
    buildOptimizationReport({
      strategy: strategy.id,
      method: opts.method,
      objective,
      seed: opts.seed,
      space,
      data: dataInfo(series, ['synthetic']),
      backtest: settings,
      outcome,
    }),
  );
}

describe('optimize', () => {
  let one: ThreadPoolEvaluator;
  let two: ThreadPoolEvaluator;
  beforeAll(() => {
    one = ThreadPoolEvaluator.start({ series, strategyId: strategy.id, settings, workers: 1 });
    two = ThreadPoolEvaluator.start({ series, strategyId: strategy.id, settings, workers: 2 });
  });
  afterAll(async () => {
    await one.close();
    await two.close();
  });

  const grid: SearchOptions = { strategy, space, method: 'grid', objective, seed: 1 };

  it('grid runs every valid combination once and counts the refused ones as skipped', async () => {
    const out = await optimize(new InlineEvaluator(series, strategy, settings), grid);
    const expected = space.axes[0]!.values.flatMap((f) =>
      space.axes[1]!.values.filter((s) => (f as number) < (s as number)).map((s) => ({ fast: f, slow: s })),
    );
    expect(out.rows.map((r) => r.params)).toEqual(expected);
    expect(out.skipped).toBe(space.size - expected.length);
    expect(out.skippedExamples[0]?.reason).toMatch(/fast must be smaller than slow/);
    const ranked = rankByObjective(objective, out.rows);
    expect(out.best).toEqual(ranked[0]);
    for (let i = 1; i < ranked.length; i++)
      expect((ranked[i - 1]!.sharpe ?? -Infinity) >= (ranked[i]!.sharpe ?? -Infinity)).toBe(true);
  });

  it('gives the same JSON with 1 and 2 worker threads and in the calling thread', async () => {
    const inline = reportJson(await optimize(new InlineEvaluator(series, strategy, settings), grid), grid);
    const a = reportJson(await optimize(one, grid), grid);
    const b = reportJson(await optimize(two, grid), grid);
    expect(a).toBe(inline);
    expect(b).toBe(inline);
  });

  it('each row equals runBacktest called directly with its parameters', async () => {
    const out = await optimize(two, grid);
    for (const row of [out.rows[0]!, out.rows[3]!, out.rows.at(-1)!]) {
      const direct = runBacktest(backtestConfig(settings, series, strategy, row.params)).report;
      const { index: _i, params: _p, objective: o, ...metrics } = row;
      expect(metrics).toEqual(metricsOf(direct));
      expect(o).toBe(direct.sharpe);
    }
  });

  it('random search is seeded, draws without repetition, and changes with the seed', async () => {
    const opts: SearchOptions = { ...grid, method: 'random', samples: 8, seed: 5 };
    const a = await optimize(two, opts);
    const b = await optimize(one, opts);
    expect(a.rows).toEqual(b.rows);
    expect(a.rows.length).toBe(8);
    expect(new Set(a.rows.map((r) => r.index)).size).toBe(8);
    const c = await optimize(two, { ...opts, seed: 6 });
    expect(c.rows.map((r) => r.index)).not.toEqual(a.rows.map((r) => r.index));
  });

  it('tpe is deterministic for any worker count and stays inside the valid space', async () => {
    const big = buildParamSpace(strategy, ['fast=2:40', 'slow=5:120:5']);
    const opts: SearchOptions = {
      strategy,
      space: big,
      method: 'tpe',
      objective,
      seed: 3,
      samples: 20,
      batchSize: 4,
    };
    const a = await optimize(one, opts);
    const b = await optimize(two, opts);
    expect(a.rows).toEqual(b.rows);
    expect(a.rows.length).toBe(20);
    expect(new Set(a.rows.map((r) => r.index)).size).toBe(20);
    for (const r of a.rows) expect((r.params['fast'] as number) < (r.params['slow'] as number)).toBe(true);
  });

  it('refuses a grid larger than maxCombos with a coded error', async () => {
    await expect(
      optimize(one, { ...grid, space: buildParamSpace(strategy), maxCombos: 1000 }),
    ).rejects.toMatchObject({
      code: 'ERR_OPTIMIZE_SPACE_TOO_LARGE',
    });
  });

  it('writes an HTML report with the ranking, a heatmap cell per combination and the best equity curve', async () => {
    const outcome = await optimize(two, grid);
    const report = buildOptimizationReport({
      strategy: strategy.id,
      method: 'grid',
      objective,
      seed: 1,
      space,
      data: dataInfo(series, ['synthetic']),
      backtest: settings,
      outcome,
    });
    const best = runBacktest(backtestConfig(settings, series, strategy, report.best!.params)).report;
    const html = renderOptimizationHtml(report, { best });
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect(html.match(/<rect [^>]*><title>fast=/g)?.length).toBe(space.size);
    expect(html).toContain(
      `Best combination: fast=${report.best!.params['fast']}, slow=${report.best!.params['slow']}`,
    );
    expect(html.indexOf('<tr class="best">')).toBeGreaterThan(0);
  });
});

describe('the max-drawdown objective', () => {
  it('ranks a combination that never held a position below every one that traded', async () => {
    const rsi = findStrategy('rsi');
    // RSI never crosses below 1 on this walk, so oversold=1 never buys: 0 % drawdown, no trade.
    const out = await optimize(new InlineEvaluator(series, rsi, settings), {
      strategy: rsi,
      space: buildParamSpace(rsi, ['oversold=1,30']),
      method: 'grid',
      objective: findObjective('max-drawdown'),
      seed: 1,
    });
    const idle = out.rows.find((r) => r.params['oversold'] === 1);
    expect(idle).toMatchObject({ trades: 0, exposure: 0, maxDrawdown: 0, objective: null });
    expect(out.best?.params).toEqual({ oversold: 30 });
    expect(out.best?.exposure).toBeGreaterThan(0);
    expect(out.best?.objective).toBe(out.best?.maxDrawdown);
  });
});
