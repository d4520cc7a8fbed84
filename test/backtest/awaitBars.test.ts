import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/runBacktest.js';
import { randomWalkSeries } from '../../src/data/syntheticSeries.js';
import type { BarSeries } from '../../src/model/BarSeries.js';
import { caught } from '../data/caught.js';
import { smaCrossConfig } from './support/smaCrossConfig.js';

const series = randomWalkSeries({ symbol: 'BTC/USDT', timeframe: '1m', length: 10_000, seed: 3 });

const config = smaCrossConfig;

/** A copy of the series whose bars are NaN until `awaitBars` has let them in, as a stream's are. */
function arriving(s: BarSeries): { series: BarSeries; awaitBars: (count: number) => void; calls: number[] } {
  const cols = ['ts', 'open', 'high', 'low', 'close', 'volume'] as const;
  const copy = {
    ...s,
    ...Object.fromEntries(cols.map((k) => [k, new Float64Array(s.length).fill(NaN)])),
  };
  let inSoFar = 0;
  const calls: number[] = [];
  return {
    series: copy,
    calls,
    awaitBars(count) {
      calls.push(count);
      for (; inSoFar < count; inSoFar++) for (const k of cols) copy[k][inSoFar] = s[k][inSoFar] as number;
    },
  };
}

describe('runBacktest on a series still arriving', () => {
  it('asks for every bar before it reads it, and reports as on the whole series', () => {
    const whole = runBacktest(config([series]));
    const stream = arriving(series);
    const streamed = runBacktest({ ...config([stream.series]), awaitBars: stream.awaitBars });
    expect(stream.calls[0]).toBe(1);
    expect(stream.calls.at(-1)).toBe(series.length);
    expect(stream.calls).toEqual([...stream.calls].sort((a, b) => a - b));
    expect(streamed.report.tradeLogSha256).toBe(whole.report.tradeLogSha256);
    expect(streamed.report).toEqual(whole.report);
  });

  it('asks for the warnings once, after the last bar is in', () => {
    const stream = arriving(series);
    const askedWhenIn: number[] = [];
    const r = runBacktest({
      ...config([stream.series]),
      warnings: () => {
        askedWhenIn.push(stream.calls.at(-1) ?? 0);
        return ['late warning'];
      },
      awaitBars: stream.awaitBars,
    });
    expect(askedWhenIn).toEqual([series.length]);
    expect(r.report.warnings).toEqual(['late warning']);
  });

  it('refuses a streamed series among others', () => {
    const other = randomWalkSeries({ symbol: 'ETH/USDT', timeframe: '1m', length: 100, seed: 4 });
    const e = caught(() => runBacktest({ ...config([series, other]), awaitBars: () => {} }));
    expect(e.code).toBe('ERR_BACKTEST_STREAM');
  });
});
