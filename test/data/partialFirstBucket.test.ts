/**
 * The first higher-timeframe bar of data that starts mid-period. 5m bars from 10:35 built into
 * 1h gave a 10:00 bar of 5 of its 12 bars, opening at 10:35's open, and the engine delivered it
 * to a strategy that subscribed to 1h as if it were the exchange's 10:00 bar. The engine now
 * leaves such a first bar out (BarAggregator's dropPartialFirst); a whole first bucket, and
 * every later bucket, partial or not (gaps), are built as before.
 */
import { describe, expect, it } from 'vitest';
import { BarAggregator } from '../../src/data/BarAggregator.js';
import { DataEngine } from '../../src/data/DataEngine.js';
import { MessageBus } from '../../src/kernel/MessageBus.js';
import { barsTopic } from '../../src/kernel/topics.js';
import type { Bar } from '../../src/model/Bar.js';

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1, 10, 0);

/** The 5m bar at minute `m` after 10:00: open m, close m + 0.5. */
const bar = (m: number, closed = true): Bar => ({
  symbol: 'X/Y',
  timeframe: '5m',
  ts: T0 + m * MIN,
  open: m,
  high: m + 1,
  low: m - 1,
  close: m + 0.5,
  volume: 1,
  closed,
});

/** 5m bars from minute `from` to `to` (exclusive). */
const minutes = (from: number, to: number): Bar[] =>
  Array.from({ length: (to - from) / 5 }, (_, k) => bar(from + 5 * k));

function hourly(bars: readonly Bar[], dropPartialFirst: boolean): Bar[] {
  const agg = new BarAggregator('X/Y', '5m', '1h', { dropPartialFirst });
  const out: Bar[] = [];
  for (const b of bars) {
    const closed = agg.update(b);
    if (closed) out.push(closed);
    const more = agg.takeClosed();
    if (more) out.push(more);
  }
  return out;
}

describe('BarAggregator with dropPartialFirst', () => {
  it('leaves out a first bucket that lacks its first base bar, and shows nothing of it while it forms', () => {
    const agg = new BarAggregator('X/Y', '5m', '1h', { dropPartialFirst: true });
    for (const b of minutes(35, 60)) {
      expect(agg.update(b)).toBeUndefined();
      expect(agg.current()).toBeUndefined();
    }
    // The 11:00 hour is the first one: whole, open at 11:00's open.
    for (const b of minutes(60, 115)) expect(agg.update(b)).toBeUndefined();
    expect(agg.current()).toMatchObject({ ts: T0 + 60 * MIN, open: 60, closed: false });
    expect(agg.update(bar(115))).toMatchObject({ ts: T0 + 60 * MIN, open: 60, close: 115.5, volume: 12 });
  });

  it('keeps a first bucket that starts with its first base bar, and later partial buckets (gaps)', () => {
    const bars = [...minutes(0, 60), ...minutes(60, 70), ...minutes(90, 120)];
    const out = hourly(bars, true);
    expect(out.map((b) => [(b.ts - T0) / MIN, b.open, b.volume])).toEqual([
      [0, 0, 12],
      [60, 60, 8],
    ]);
  });

  it('without the option, builds the partial first bucket as resample does', () => {
    expect(hourly(minutes(35, 120), false).map((b) => [(b.ts - T0) / MIN, b.open, b.volume])).toEqual([
      [0, 35, 5],
      [60, 60, 12],
    ]);
  });

  it('drops a partial first bucket that a gap closes, and returns the later bucket the same update completes', () => {
    // 10:50 and 10:55 (partial 10:00 hour), then a gap to 11:55, the last slot of the 11:00 hour.
    expect(hourly([bar(50), bar(55), bar(115)], true).map((b) => (b.ts - T0) / MIN)).toEqual([60]);
  });

  it('judges the first bucket by the first base bar, forming or closed', () => {
    const agg = new BarAggregator('X/Y', '5m', '1h', { dropPartialFirst: true });
    agg.update(bar(55, false));
    expect(agg.current()).toBeUndefined();
    expect(agg.update(bar(55))).toBeUndefined();
    expect(agg.update(bar(60, false))).toBeUndefined();
    expect(agg.current()).toMatchObject({ ts: T0 + 60 * MIN, open: 60, closed: false });
  });
});

describe('DataEngine higher timeframes of data starting mid-period', () => {
  it('never publishes the partial first higher bar to subscribers', () => {
    const bus = new MessageBus();
    const data = new DataEngine(bus);
    const got: string[] = [];
    bus.subscribe(barsTopic('X/Y', '1h'), (b) => got.push(`${(b.ts - T0) / MIN}:${b.open}`));
    data.requireBars('X/Y', '1h');
    data.registerBase('X/Y', '5m');
    for (const b of minutes(35, 180)) data.onBar(b);
    expect(got).toEqual(['60:60', '120:120']);
  });
});
