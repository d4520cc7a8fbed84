import { describe, expect, it } from 'vitest';
import type { Bar } from '../../src/model/Bar.js';
import { BarPaths, IntrabarPath } from '../../src/sim/IntrabarPath.js';

const bar = (open: number, high: number, low: number, close: number): Bar => ({
  symbol: 'X/Y',
  timeframe: '1m',
  ts: 0,
  open,
  high,
  low,
  close,
  volume: 1,
  closed: true,
});
const points = (p: IntrabarPath): number[] => [0, 1, 2, 3].map((i) => p.point(i));

describe('IntrabarPath', () => {
  it('pessimistic: buyers see the high first, sellers the low first', () => {
    const paths = BarPaths.ofBar(bar(10, 12, 8, 11), 'pessimistic');
    expect(points(paths.forSide('BUY'))).toEqual([10, 12, 8, 11]);
    expect(points(paths.forSide('SELL'))).toEqual([10, 8, 12, 11]);
  });

  it('ohlc is one walk for everyone; adaptive picks by the bar direction', () => {
    expect(points(BarPaths.ofBar(bar(10, 12, 8, 11), 'ohlc').forSide('SELL'))).toEqual([10, 12, 8, 11]);
    expect(points(BarPaths.ofBar(bar(10, 12, 8, 9), 'adaptive').forSide('SELL'))).toEqual([10, 12, 8, 9]);
    expect(points(BarPaths.ofBar(bar(10, 12, 8, 11), 'adaptive').forSide('BUY'))).toEqual([10, 8, 12, 11]);
  });

  it('crossing finds the first time the walk reaches a level, after the start', () => {
    const p = new IntrabarPath(10, 12, 8, 11);
    expect(p.crossing(0, 10, 11, 'up')).toBeCloseTo(0.5);
    expect(p.crossing(0, 10, 9, 'down')).toBeCloseTo(1.75);
    expect(p.crossing(1.5, 10, 11, 'up')).toBe(3); // 8 → 11 reaches 11 only at the close
    expect(p.crossing(0, 10, 13, 'up')).toBeUndefined();
    expect(p.priceAt(1.75)).toBeCloseTo(9);
  });

  it('extreme is the best price over a time window', () => {
    const p = new IntrabarPath(10, 12, 8, 11);
    expect(p.extreme(0, 10, 3, true)).toBe(12);
    expect(p.extreme(1.5, 10, 3, true)).toBe(11);
    expect(p.extreme(0, 10, 1.5, false)).toBeCloseTo(10);
  });
});
