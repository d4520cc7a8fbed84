import { describe, expect, it } from 'vitest';
import { TestClock } from '../../src/kernel/Clock.js';
import { SyntheticFeed } from '../../src/marketdata/SyntheticFeed.js';
import type { Bar } from '../../src/model/Bar.js';

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 10, 12, 0, 0);

/** A feed on a TestClock at T0 + 30 s, `behind` 1m bars behind it, and what it delivered (with the clock's time). */
function feedOn(behind: number, startPrice = 30_000) {
  const clock = new TestClock(T0 + 30_000);
  const seen: { bar: Bar; at: number }[] = [];
  const feed = new SyntheticFeed({
    markets: [
      { symbol: 'BTC/USDT', startPrice },
      { symbol: 'ETH/USDT', startPrice: 2_000 },
    ],
    timeframe: '1m',
    sink: { onBar: (bar) => seen.push({ bar, at: clock.now() }) },
    clock,
    barsPerSecond: 10,
    seed: 7,
    startTs: T0 - behind * MIN,
  });
  const closed = (symbol = 'BTC/USDT'): Bar[] =>
    seen.filter((s) => s.bar.closed && s.bar.symbol === symbol).map((s) => s.bar);
  return { clock, feed, seen, closed };
}

describe('SyntheticFeed', () => {
  it('delivers the bars already due at its pace, then each bar only once the clock passes its end', async () => {
    const { clock, feed, seen, closed } = feedOn(10);
    await feed.start();
    // 10 bars a second: the ten due bars (T0-10m … T0-1m) take one second of the clock.
    clock.advanceTo(clock.now() + 1_000);
    expect(closed().map((b) => b.ts)).toEqual(Array.from({ length: 10 }, (_, i) => T0 - (10 - i) * MIN));
    expect(feed.caughtUp()).toBe(true);
    // Caught up: the bar opened at T0 is not closed before T0 + 1m, however long the clock runs short of it.
    clock.advanceTo(T0 + MIN - 1);
    expect(closed()).toHaveLength(10);
    clock.advanceTo(T0 + 5 * MIN);
    expect(
      closed()
        .map((b) => b.ts)
        .slice(10),
    ).toEqual([T0, T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN, T0 + 4 * MIN]);
    // No bar ever closed before its end: nothing it delivered (nor a fill matched on it) is dated after now.
    for (const { bar, at } of seen) {
      expect(bar.ts).toBeLessThanOrEqual(at);
      if (bar.closed) expect(bar.ts + MIN).toBeLessThanOrEqual(at);
    }
    await feed.stop();
    clock.advanceTo(T0 + 60 * MIN);
    expect(closed()).toHaveLength(15);
    expect(clock.timerNames()).toEqual([]);
  });

  it('keeps the data fresh between closes with updates of the forming bar, which the closed bar completes', async () => {
    const { clock, feed, seen, closed } = feedOn(0);
    await feed.start();
    clock.advanceTo(T0 + 2 * MIN);
    const btc = seen.filter((s) => s.bar.symbol === 'BTC/USDT');
    const forming = btc.filter((s) => !s.bar.closed);
    // Something at least every 5 s, closes and updates of the forming bar in between.
    expect(forming.length).toBeGreaterThanOrEqual(15);
    const times = [T0 + 30_000, ...btc.map((s) => s.at)];
    for (let i = 1; i < times.length; i++)
      expect((times[i] as number) - (times[i - 1] as number)).toBeLessThanOrEqual(5_000);
    const [first, second] = closed();
    expect(first?.ts).toBe(T0);
    expect(second?.ts).toBe(T0 + MIN);
    for (const { bar } of forming.filter((s) => s.bar.ts === T0)) {
      expect(bar.open).toBe(first?.open);
      expect(bar.high).toBeLessThanOrEqual(first?.high as number);
      expect(bar.low).toBeGreaterThanOrEqual(first?.low as number);
    }
    // Each bar opens at the close of the one before: the walk is continuous.
    expect(second?.open).toBe(first?.close);
    await feed.stop();
  });

  it('starts the walk from the price it is given', async () => {
    const { clock, feed, closed } = feedOn(3, 41_234.56);
    await feed.start();
    clock.advanceTo(clock.now() + 1_000);
    expect(closed()[0]?.open).toBe(41_234.56);
    await feed.stop();
  });
});
