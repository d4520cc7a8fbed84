import type { Exchange } from 'ccxt';
import { describe, expect, it } from 'vitest';
import type { FeedGap, FeedWarning } from '../../src/data/MarketDataFeed.js';
import { marketDataListener } from '../../src/data/MarketDataFeed.js';
import type { CcxtMarketDataFeedOptions } from '../../src/exchanges/ccxt/CcxtMarketDataFeed.js';
import { CcxtMarketDataFeed } from '../../src/exchanges/ccxt/CcxtMarketDataFeed.js';
import { TestClock } from '../../src/kernel/Clock.js';
import type { Bar, Trade } from '../../src/model/Bar.js';
import { Recorder } from './fakeSession.js';

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
  /** Prefix of the trade ids this venue prints ('' for plain integers). */
  idPrefix = 'x';

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
    this.tape.push({ id: `${this.idPrefix}${id}`, timestamp: ts, price, amount, side: 'buy' });
  }
}

/** Lets every pending promise continuation run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise((r) => setImmediate(r));
}

function setup(
  venue: PollOnlyVenue,
  clock: TestClock,
  onBar?: (b: Bar) => void,
  extra: Partial<CcxtMarketDataFeedOptions> = {},
) {
  const closed: Bar[] = [];
  const trades: Trade[] = [];
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
    ...extra,
    listener: marketDataListener({
      onTrade: (t) => trades.push(t),
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
  return { feed, closed, forming, trades, warnings, gaps, errors, tickers };
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

  it('a venue taken for consecutive trade ids that sends others goes on as for opaque ids', async () => {
    // E.g. a Binance twin, or a `tradeIds: 'consecutive'` setting, whose ids are not integers.
    const venue = new PollOnlyVenue();
    const clock = new TestClock(T0 + 40_000);
    venue.print(1, T0 + 30_000, 10);
    venue.print(2, T0 + 35_000, 11);
    const rec = new Recorder();
    const s = setup(venue, clock, undefined, { tradeIds: 'consecutive', logger: rec.logger });
    await s.feed.start();
    await flush();
    expect(s.forming.at(-1)).toMatchObject({ ts: T0, open: 10, close: 11, closed: false });
    const fallback = rec.logs.filter(
      (l) => l.level === 'warn' && l.msg.startsWith('trade ids cannot be sequenced'),
    );
    expect(fallback).toHaveLength(1);
    expect(fallback[0]?.obj).toMatchObject({
      symbol: 'A/B',
      reason: expect.stringContaining('"x1"') as unknown,
    });

    venue.print(3, T0 + M + 1_000, 12);
    venue.print(4, T0 + M + 2_000, 13, 2);
    clock.advanceTo(T0 + M + 3_000);
    await flush();
    expect(venue.calls[1]).toBe(`trades ${T0 + 35_000}`); // by time, as for opaque ids
    expect(s.forming.at(-1)).toMatchObject({ ts: T0 + M, open: 12, close: 13, volume: 3 });
    // Nothing more trades: minute 1 closes once venue time is 5 s past its end.
    clock.advanceTo(T0 + 2 * M + 4_000);
    await flush();
    clock.advanceTo(T0 + 2 * M + 6_000);
    await flush();
    // Minute 0 was joined at 0:30 with nothing to fetch its start by: withheld, as for opaque ids.
    expect(s.closed.map((b) => [b.ts, b.open, b.close, b.volume])).toEqual([[T0 + M, 12, 13, 3]]);
    expect(s.trades.map((t) => t.id)).toEqual(['x1', 'x2', 'x3', 'x4']);
    expect(s.errors).toEqual([]);
    await s.feed.stop();
  });

  it('a started sequence that meets a non-integer id delivers it and goes on as for opaque ids', async () => {
    const venue = new PollOnlyVenue();
    venue.idPrefix = '';
    const clock = new TestClock(T0 + 40_000);
    venue.print(5, T0 + 30_000, 10);
    venue.print(6, T0 + 35_000, 11);
    const rec = new Recorder();
    const s = setup(venue, clock, undefined, { tradeIds: 'consecutive', logger: rec.logger });
    await s.feed.start();
    await flush();
    expect(s.trades.map((t) => t.id)).toEqual(['5', '6']);

    venue.print(7, T0 + M + 1_000, 12);
    venue.idPrefix = 'x'; // the venue's ids change form mid-stream
    venue.print(8, T0 + M + 2_000, 13);
    clock.advanceTo(T0 + M + 3_000);
    await flush();
    expect(s.trades.map((t) => t.id)).toEqual(['5', '6', '7', 'x8']);
    const fallback = rec.logs.filter(
      (l) => l.level === 'warn' && l.msg.startsWith('trade ids cannot be sequenced'),
    );
    expect(fallback).toHaveLength(1);
    expect(fallback[0]?.obj).toMatchObject({
      reason: expect.stringContaining('"x8"') as unknown,
      expectedId: 7,
    });

    // From here on by time, repeats dropped by id: each trade once, none lost.
    venue.print(9, T0 + M + 4_000, 14);
    clock.advanceTo(T0 + M + 5_000);
    await flush();
    clock.advanceTo(T0 + M + 6_000);
    await flush();
    expect(s.trades.map((t) => t.id)).toEqual(['5', '6', '7', 'x8', 'x9']);
    expect(s.forming.at(-1)).toMatchObject({ ts: T0 + M, open: 12, close: 14, volume: 3 });
    expect(s.errors).toEqual([]);
    await s.feed.stop();
  });

  it('a first-period start that fails after its fetch goes on without a sequence, not held forever', async () => {
    const venue = new PollOnlyVenue();
    venue.idPrefix = '';
    const clock = new TestClock(T0 + 40_000);
    venue.print(5, T0 + 30_000, 10);
    venue.print(6, T0 + 35_000, 11);
    const fetchTrades = venue.fetchTrades.bind(venue);
    venue.fetchTrades = async (symbol, since, limit) => {
      const got = await fetchTrades(symbol, since, limit);
      // The fetch of the trades before the first one (the second request) brings an id in a
      // form the sequencer refuses, so the start fails after the ids of the stream passed.
      const odd: StubTrade = { id: '4.0', timestamp: T0 + 20_000, price: 9, amount: 1, side: 'sell' };
      return venue.calls.length === 2 ? [{ ...odd, symbol }, ...got] : got;
    };
    const rec = new Recorder();
    const s = setup(venue, clock, undefined, { tradeIds: 'consecutive', logger: rec.logger });
    await s.feed.start();
    await flush();
    expect(s.errors).toHaveLength(1);
    expect(
      rec.logs.some((l) => l.level === 'warn' && l.msg.startsWith('trade ids cannot be sequenced')),
    ).toBe(true);
    expect(s.trades.map((t) => t.id)).toEqual(['5', '6']);

    venue.print(7, T0 + M + 1_000, 12);
    clock.advanceTo(T0 + M + 3_000);
    await flush();
    expect(s.trades.map((t) => t.id)).toEqual(['5', '6', '7']);
    expect(s.forming.at(-1)).toMatchObject({ ts: T0 + M, open: 12, close: 12 });
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
