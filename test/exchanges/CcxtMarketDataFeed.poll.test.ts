import type { Exchange } from 'ccxt';
import { describe, expect, it } from 'vitest';
import type { FeedGap, FeedWarning } from '../../src/data/MarketDataFeed.js';
import { marketDataListener } from '../../src/data/MarketDataFeed.js';
import { CcxtMarketDataFeed } from '../../src/exchanges/ccxt/CcxtMarketDataFeed.js';
import { TestClock } from '../../src/kernel/Clock.js';
import type { Bar } from '../../src/model/Bar.js';

const M = 60_000;
const T0 = 1_700_000_040_000 - (1_700_000_040_000 % M);

interface StubTrade {
  id: string;
  timestamp: number;
  price: number;
  amount: number;
  side: 'buy' | 'sell';
}

/**
 * A REST-only venue with opaque trade ids (no streams in `has`): the feed must poll it.
 * `fetchTrades` answers like most venues: trades from `since` on, else the latest ones.
 */
class PollOnlyVenue {
  readonly id = 'stubvenue';
  readonly has: Record<string, boolean> = {
    fetchTrades: true,
    fetchTicker: true,
    fetchOrderBook: false,
    fetchOHLCV: false,
  };
  readonly timeframes: Record<string, string> = { '1m': '1m' };
  markets: Record<string, unknown> | undefined;
  readonly tape: StubTrade[] = [];
  calls: string[] = [];
  failNext = 0;
  closed = false;

  loadMarkets(): Promise<unknown> {
    this.markets = { 'A/B': { symbol: 'A/B' } };
    return Promise.resolve(this.markets);
  }
  market(symbol: string): unknown {
    return { symbol };
  }
  fetchTrades(symbol: string, since?: number, limit = 1000): Promise<StubTrade[]> {
    this.calls.push(`trades ${since ?? '-'}`);
    if (this.failNext > 0) {
      this.failNext--;
      return Promise.reject(new Error('503 Service Unavailable'));
    }
    const list =
      since === undefined ? this.tape.slice(-limit) : this.tape.filter((t) => t.timestamp >= since);
    return Promise.resolve(list.slice(0, limit).map((t) => ({ ...t, symbol })));
  }
  fetchTicker(symbol: string): Promise<unknown> {
    const last = this.tape.at(-1);
    return Promise.resolve({ symbol, timestamp: last?.timestamp, last: last?.price, bid: 1, ask: 2 });
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
  print(id: number, ts: number, price: number, amount = 1): void {
    this.tape.push({ id: `x${id}`, timestamp: ts, price, amount, side: 'buy' });
  }
}

/** Lets every pending promise continuation run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise((r) => setImmediate(r));
}

function setup(venue: PollOnlyVenue, clock: TestClock, onBar?: (b: Bar) => void) {
  const closed: Bar[] = [];
  const forming: Bar[] = [];
  const warnings: FeedWarning[] = [];
  const gaps: FeedGap[] = [];
  const errors: unknown[] = [];
  const tickers: number[] = [];
  const feed = new CcxtMarketDataFeed({
    exchange: venue as unknown as Exchange,
    symbols: ['A/B'],
    timeframes: ['1m'],
    clock,
    pollIntervalMs: 1000,
    staleAfterMs: 10_000,
    quietCloseAfterMs: 5_000,
    backoff: { initialMs: 100, maxMs: 1000, jitter: 0 },
    listener: marketDataListener({
      onBar: (b) => {
        onBar?.(b);
        (b.closed ? closed : forming).push(b);
      },
      onWarning: (w) => warnings.push(w),
      onGap: (g) => gaps.push(g),
      onError: (e) => errors.push(e),
      onTicker: (t) => tickers.push(t.ts),
    }),
  });
  return { feed, closed, forming, warnings, gaps, errors, tickers };
}

describe('CcxtMarketDataFeed over a venue without streams (REST polling)', () => {
  it('polls, drops repeats, withholds the bar it joined mid-period, closes quiet bars by venue time', async () => {
    const venue = new PollOnlyVenue();
    const clock = new TestClock(T0 + 40_000);
    venue.print(1, T0 + 30_000, 10);
    venue.print(2, T0 + 35_000, 11);
    const s = setup(venue, clock);
    await s.feed.start();
    await flush();
    expect(venue.calls[0]).toBe('trades -');
    expect(s.forming.at(-1)).toMatchObject({ ts: T0, open: 10, close: 11, closed: false });

    venue.print(3, T0 + M + 1_000, 12);
    venue.print(4, T0 + M + 2_000, 13, 2);
    clock.advanceTo(T0 + M + 3_000);
    await flush();
    // Minute 0 was joined at 0:30: its trades before then are unknown, so it is not delivered.
    expect(s.closed).toEqual([]);
    expect(venue.calls[1]).toBe(`trades ${T0 + 35_000}`); // from the last trade seen: it repeats, dropped
    expect(s.forming.at(-1)).toMatchObject({ ts: T0 + M, open: 12, close: 13, volume: 3 });

    // Nothing more trades: minute 1 closes once venue time is 5 s past its end.
    clock.advanceTo(T0 + 2 * M + 4_000);
    await flush();
    expect(s.closed).toEqual([]);
    clock.advanceTo(T0 + 2 * M + 6_000);
    await flush();
    expect(s.closed).toEqual([
      {
        symbol: 'A/B',
        timeframe: '1m',
        ts: T0 + M,
        open: 12,
        high: 13,
        low: 12,
        close: 13,
        volume: 3,
        closed: true,
      },
    ]);
    expect(s.feed.stats().duplicateTrades).toBeGreaterThan(0);
    expect(s.tickers.length).toBeGreaterThan(0);
    await s.feed.stop();
    expect(venue.closed).toBe(true);
    expect(clock.timerNames()).toEqual([]);
  });

  it('retries a failing poll with backoff and reports it; a throwing listener does not stop the feed', async () => {
    const venue = new PollOnlyVenue();
    const clock = new TestClock(T0);
    venue.print(1, T0, 10);
    let thrown = 0;
    const s = setup(venue, clock, () => {
      if (thrown++ === 0) throw new Error('strategy bug');
    });
    await s.feed.start();
    await flush();
    expect(s.errors).toHaveLength(1);
    venue.failNext = 2;
    clock.advanceTo(T0 + 1_000); // poll fails
    await flush();
    clock.advanceTo(T0 + 1_100); // retry after 100 ms fails
    await flush();
    venue.print(2, T0 + M, 11);
    clock.advanceTo(T0 + 1_300); // retry after 200 ms succeeds
    await flush();
    const reconnects = s.warnings.filter((w) => w.code === 'FEED_RECONNECTING');
    expect(reconnects.map((w) => w.details?.['delayMs'])).toEqual([100, 200]);
    expect(s.closed.map((b) => b.ts)).toEqual([T0]); // minute 0 started exactly at its open
    await s.feed.stop();
  });

  it('refuses a symbol the venue does not list', async () => {
    const venue = new PollOnlyVenue();
    const feed = new CcxtMarketDataFeed({
      exchange: venue as unknown as Exchange,
      symbols: ['NOPE/B'],
      clock: new TestClock(0),
      listener: marketDataListener({}),
    });
    await expect(feed.start()).rejects.toMatchObject({ code: 'ERR_EXCHANGE_BAD_SYMBOL' });
    await feed.stop();
  });
});
