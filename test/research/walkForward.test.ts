import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/runBacktest.js';
import { isQtsError } from '../../src/core/QtsError.js';
import { randomWalkSeries } from '../../src/data/syntheticSeries.js';
import { sliceSeries } from '../../src/data/sliceSeries.js';
import { DEFAULT_BACKTEST_SETTINGS, backtestConfig } from '../../src/research/BacktestSettings.js';
import { InlineEvaluator } from '../../src/research/ComboEvaluator.js';
import { metricsOf } from '../../src/research/ComboMetrics.js';
import { renderWalkForwardHtml } from '../../src/research/html/walkForwardHtml.js';
import { findObjective } from '../../src/research/objectives.js';
import { optimize } from '../../src/research/optimize.js';
import { buildParamSpace } from '../../src/research/ParamSpace.js';
import { walkForward } from '../../src/research/walkForward.js';
import { walkForwardWindows } from '../../src/research/walkForwardWindows.js';
import { findStrategy } from '../../src/strategies/registry.js';

const ts = Array.from({ length: 100 }, (_, i) => 1000 + i * 10);

describe('walkForwardWindows', () => {
  it('rolling windows slide by the step and keep their in-sample length', () => {
    const w = walkForwardWindows(ts, { inSample: 30, outOfSample: 20, mode: 'rolling' });
    expect(w.map((x) => [x.isStart, x.isEnd, x.oosStart, x.oosEnd])).toEqual([
      [0, 30, 30, 50],
      [20, 50, 50, 70],
      [40, 70, 70, 90],
    ]);
    expect(w[0]).toMatchObject({ isFrom: 1000, isTo: 1300, oosFrom: 1300, oosTo: 1500 });
    const last = walkForwardWindows(ts, { inSample: 50, outOfSample: 25, mode: 'rolling' });
    expect(last.map((x) => [x.isStart, x.oosEnd])).toEqual([
      [0, 75],
      [25, 100],
    ]);
    expect(last[1]?.oosTo).toBeNull();
  });

  it('anchored windows all start at bar 0 and grow by the step', () => {
    const w = walkForwardWindows(ts, { inSample: 30, outOfSample: 10, step: 10, mode: 'anchored' });
    expect(w.map((x) => [x.isStart, x.isEnd, x.oosStart, x.oosEnd])).toEqual([
      [0, 30, 30, 40],
      [0, 40, 40, 50],
      [0, 50, 50, 60],
      [0, 60, 60, 70],
      [0, 70, 70, 80],
      [0, 80, 80, 90],
      [0, 90, 90, 100],
    ]);
  });

  it('refuses a step shorter than the out-of-sample windows: they would overlap and be stitched twice', () => {
    for (const mode of ['rolling', 'anchored'] as const) {
      let err: unknown;
      try {
        walkForwardWindows(ts, { inSample: 30, outOfSample: 20, step: 10, mode });
      } catch (e) {
        err = e;
      }
      expect(isQtsError(err, 'ERR_WALKFORWARD_WINDOWS')).toBe(true);
      expect((err as Error).message).toContain('overlap');
    }
    // A step longer than the out-of-sample length leaves bars untraded between windows, never twice.
    const gaps = walkForwardWindows(ts, { inSample: 30, outOfSample: 10, step: 25, mode: 'rolling' });
    for (let k = 1; k < gaps.length; k++)
      expect(gaps[k]!.oosStart).toBeGreaterThanOrEqual(gaps[k - 1]!.oosEnd);
  });

  it('refuses sizes that hold no window or are not whole numbers', () => {
    for (const spec of [
      { inSample: 90, outOfSample: 20, mode: 'rolling' as const },
      { inSample: 0, outOfSample: 20, mode: 'rolling' as const },
      { inSample: 10, outOfSample: 2.5, mode: 'anchored' as const },
    ]) {
      let err: unknown;
      try {
        walkForwardWindows(ts, spec);
      } catch (e) {
        err = e;
      }
      expect(isQtsError(err, 'ERR_WALKFORWARD_WINDOWS')).toBe(true);
    }
  });
});

describe('walkForward', () => {
  const series = [
    randomWalkSeries({ symbol: 'SYN/USDT', timeframe: '1h', length: 2400, seed: 21, volatility: 0.01 }),
  ];
  const strategy = findStrategy('sma-cross');
  const space = buildParamSpace(strategy, ['fast=5:20:5', 'slow=30,60']);
  const objective = findObjective('return');
  const settings = DEFAULT_BACKTEST_SETTINGS;
  const evaluator = new InlineEvaluator(series, strategy, settings);

  it('optimizes each in-sample window and its OOS stats equal a direct backtest on the OOS slice', async () => {
    const report = await walkForward(evaluator, {
      series,
      strategy,
      space,
      method: 'grid',
      objective,
      seed: 1,
      settings,
      windows: { inSample: 800, outOfSample: 400, mode: 'rolling' },
    });
    expect(report.windows.length).toBe(4);
    let equity = settings.initialCash;
    let trades = 0;
    let leftOpen = 0;
    for (const [k, w] of report.windows.entries()) {
      // The in-sample best is the best of a plain optimization on that window.
      const is = await optimize(evaluator, {
        strategy,
        space,
        method: 'grid',
        objective,
        seed: 1,
        from: w.inSample.from,
        to: w.inSample.to,
      });
      expect(w.best).toEqual(is.best?.params);
      expect(w.oosInitialEquity).toBe(equity);
      const oosSlice = series.map((s) => sliceSeries(s, w.outOfSample.from, w.outOfSample.to ?? undefined));
      expect(oosSlice[0]?.length).toBe(400);
      const direct = runBacktest(backtestConfig(settings, oosSlice, strategy, w.best!, equity)).report;
      expect(w.oos).toEqual(metricsOf(direct));
      equity = direct.finalEquity;
      // The next window starts flat: a trip this one left open ended at its last mark.
      const last = k === report.windows.length - 1;
      trades += direct.trades + (last ? 0 : direct.openTrades);
      if (!last) leftOpen += direct.openTrades;
    }
    expect(leftOpen).toBeGreaterThan(0);
    expect(report.oos.stats.trades).toBe(trades);
    expect(report.oos.finalEquity).toBe(equity);
    expect(report.oos.stats.totalReturn).toBeCloseTo(equity / settings.initialCash - 1, 12);
    expect(report.oos.stats.bars).toBe(1600);
    expect(report.oos.curveExact).toBe(true);
    const html = renderWalkForwardHtml(report);
    expect(html.match(/<tr><td>\d+<\/td>/g)?.length).toBe(4);
  });

  it('anchored mode trains from the first bar every time', async () => {
    const report = await walkForward(evaluator, {
      series,
      strategy,
      space,
      method: 'random',
      samples: 3,
      objective,
      seed: 2,
      settings,
      windows: { inSample: 1200, outOfSample: 600, mode: 'anchored' },
    });
    expect(report.windows.map((w) => [w.inSample.from, w.inSample.bars])).toEqual([
      [series[0]!.ts[0], 1200],
      [series[0]!.ts[0], 1800],
    ]);
    expect(report.windows.every((w) => w.evaluated === 3)).toBe(true);
  });
});
