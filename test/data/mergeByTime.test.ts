import { describe, expect, it } from 'vitest';
import { timeframeToMs } from '../../src/core/time.js';
import type { BarSeries } from '../../src/model/BarSeries.js';
import { allocBarSeries } from '../../src/model/BarSeries.js';
import { loadBarSeries } from '../../src/data/loadBarSeries.js';
import { mergeByTime } from '../../src/data/mergeByTime.js';
import { resample } from '../../src/data/resample.js';
import { randomWalkSeries } from '../../src/data/syntheticSeries.js';
import { HAS_SHARED_DATA, sharedFile } from '../support/sharedData.js';

function closeTimes(all: readonly BarSeries[], m: ReturnType<typeof mergeByTime>): number[] {
  return Array.from(m.seriesIndex, (s, k) => {
    const one = all[s] as BarSeries;
    return (one.ts[m.barIndex[k] as number] as number) + timeframeToMs(one.timeframe);
  });
}

/** The merge's tie order: symbol, then shorter timeframe, then series index. */
function tieBefore(all: readonly BarSeries[], a: number, b: number): boolean {
  const x = all[a] as BarSeries;
  const y = all[b] as BarSeries;
  if (x.symbol !== y.symbol) return x.symbol < y.symbol;
  const dx = timeframeToMs(x.timeframe);
  const dy = timeframeToMs(y.timeframe);
  return dx !== dy ? dx < dy : a < b;
}

/** Checks the merge visits every bar once, each series in order, by close time then tie order. */
function expectValidMerge(all: readonly BarSeries[], m: ReturnType<typeof mergeByTime>): void {
  const total = all.reduce((n, s) => n + s.length, 0);
  expect(m.seriesIndex.length).toBe(total);
  expect(m.barIndex.length).toBe(total);
  const next = all.map(() => 0);
  const times = closeTimes(all, m);
  let bad = 0;
  for (let k = 0; k < total; k++) {
    const s = m.seriesIndex[k] as number;
    if (m.barIndex[k] !== next[s]) bad++;
    next[s] = (next[s] as number) + 1;
    if (k > 0) {
      const prev = times[k - 1] as number;
      const now = times[k] as number;
      const p = m.seriesIndex[k - 1] as number;
      if (now < prev || (now === prev && s !== p && tieBefore(all, s, p))) bad++;
    }
  }
  expect(bad).toBe(0);
  expect(next).toEqual(all.map((s) => s.length));
}

describe('mergeByTime', () => {
  it('orders by close time, so a 1h bar comes after the 5m bar closing with it', () => {
    const m5 = randomWalkSeries({ symbol: 'A', timeframe: '5m', length: 24, seed: 1 });
    const h1 = resample(m5, '1h');
    const m = mergeByTime([h1, m5]);
    expectValidMerge([h1, m5], m);
    // The first hour closes at 01:00 together with the 12th 5m bar: tie → the shorter
    // timeframe first (as a live feed would close them), whatever the order of the series.
    const first = Array.from(m.seriesIndex).indexOf(0);
    expect(first).toBe(12);
    expect(m.barIndex[first]).toBe(0);
    const swapped = mergeByTime([m5, h1]);
    expect(Array.from(swapped.seriesIndex).indexOf(1)).toBe(12);
  });

  it('breaks ties by symbol, not by the order the series were given', () => {
    const a = randomWalkSeries({ symbol: 'ETH/USDT', timeframe: '1m', length: 50, seed: 1 });
    const b = randomWalkSeries({ symbol: 'BTC/USDT', timeframe: '1m', length: 50, seed: 2 });
    const c = randomWalkSeries({ symbol: 'ADA/USDT', timeframe: '1m', length: 40, seed: 3 });
    const symbolsOf = (all: readonly BarSeries[]) => {
      const m = mergeByTime(all);
      expectValidMerge(all, m);
      return Array.from(m.seriesIndex, (s, k) => `${(all[s] as BarSeries).symbol}@${m.barIndex[k]}`);
    };
    const forward = symbolsOf([a, b, c]);
    expect(forward.slice(0, 3)).toEqual(['ADA/USDT@0', 'BTC/USDT@0', 'ETH/USDT@0']);
    expect(symbolsOf([c, a, b])).toEqual(forward);
    expect(symbolsOf([b, c, a])).toEqual(forward);
  });

  it('handles no series, empty series and a single series', () => {
    expect(mergeByTime([]).seriesIndex.length).toBe(0);
    const empty = allocBarSeries('E', '1m', 0);
    const one = randomWalkSeries({ symbol: 'A', timeframe: '1m', length: 5, seed: 1 });
    const m = mergeByTime([empty, one, empty]);
    expect(Array.from(m.seriesIndex)).toEqual([1, 1, 1, 1, 1]);
    expect(Array.from(m.barIndex)).toEqual([0, 1, 2, 3, 4]);
  });

  it('merges many series of different timeframes and starts', () => {
    const all = ['1m', '3m', '5m', '15m', '1h', '1m', '2m', '4h', '1d'].map((tf, i) =>
      randomWalkSeries({
        symbol: `S${i}`,
        timeframe: tf,
        length: 500 - i * 40,
        seed: i,
        start: Date.UTC(2024, 0, 1) + i * 3_600_000,
      }),
    );
    expectValidMerge(all, mergeByTime(all));
  });
});

describe.skipIf(!HAS_SHARED_DATA)('mergeByTime on shared data', () => {
  it('interleaves ETH/BTC and ADA/BTC 5m bar by bar, ADA first on ties (symbol order), around ADA gaps', () => {
    const eth = loadBarSeries(sharedFile('crypto/spot-5m/ETH_BTC-5m.csv')).series;
    const ada = loadBarSeries(sharedFile('crypto/spot-5m/ADA_BTC-5m.csv')).series;
    const m = mergeByTime([eth, ada]);
    expectValidMerge([eth, ada], m);
    expect(m.seriesIndex.length).toBe(5760 + 5720);
    expect(Array.from(m.seriesIndex.subarray(0, 4))).toEqual([1, 0, 1, 0]);
    // Where ADA has a gap, ETH bars run on alone: somewhere two ETH bars are adjacent.
    let ethRuns = 0;
    for (let k = 1; k < m.seriesIndex.length; k++)
      if (m.seriesIndex[k] === 0 && m.seriesIndex[k - 1] === 0) ethRuns++;
    expect(ethRuns).toBe(40);
  });
});
