import { describe, expect, it } from 'vitest';
import { ExchangeBarCheck } from '../../src/exchanges/ExchangeBarCheck.js';
import type { Bar } from '../../src/model/Bar.js';

const M = 60_000;
const bar = (i: number, close: number, volume = 1, closed = false): Bar => ({
  symbol: 'X/Y',
  timeframe: '1m',
  ts: i * M,
  open: 1,
  high: Math.max(1, close),
  low: Math.min(1, close),
  close,
  volume,
  closed,
});

describe('ExchangeBarCheck', () => {
  it('a venue candle is final once a later one arrives, and is compared once ours is closed', () => {
    const c = new ExchangeBarCheck('X/Y', '1m');
    expect(c.onVenueCandles([bar(0, 2)])).toEqual([]);
    expect(c.onVenueCandles([bar(0, 3)])).toEqual([]);
    expect(c.onVenueCandles([bar(1, 3)])).toEqual([{ ...bar(0, 3), closed: true }]);
    expect(c.settle(-Infinity, -Infinity)).toEqual([]); // ours not closed yet: waits
    c.onOurBar({ ...bar(0, 3), closed: true });
    expect(c.settle(0, -Infinity)).toEqual([]);
    expect(c.comparedCount()).toBe(1);
  });

  it('reports the fields that differ, and a venue candle with volume where we have none', () => {
    const c = new ExchangeBarCheck('X/Y', '1m');
    c.onVenueCandles([bar(0, 3, 5), bar(1, 2, 4), bar(2, 2, 0), bar(3, 1)]);
    c.onOurBar({ ...bar(0, 3, 6), closed: true });
    const m = c.settle(2 * M, -Infinity);
    expect(m.map((x) => [x.ts / M, x.fields])).toEqual([
      [0, ['volume']],
      [1, ['open', 'high', 'low', 'close', 'volume']],
    ]);
  });

  it('skips periods before our coverage and a candle tainted by a reconnect', () => {
    const c = new ExchangeBarCheck('X/Y', '1m');
    c.onVenueCandles([bar(0, 9), bar(1, 2)]);
    c.taint();
    c.onVenueCandles([bar(2, 2)]); // minute 1 may have missed updates: not compared
    expect(c.settle(5 * M, M)).toEqual([]);
    expect(c.comparedCount()).toBe(0);
    c.taint();
    c.onVenueCandles([bar(2, 5), bar(3, 1)]); // refreshed after the reconnect: compared
    c.onOurBar({ ...bar(2, 5), closed: true });
    expect(c.settle(5 * M, M)).toEqual([]);
    expect(c.comparedCount()).toBe(1);
  });
});
