import type { Exchange } from 'ccxt';
import { InvalidNonce } from 'ccxt';
import { describe, expect, it, vi } from 'vitest';
import type { FeedGap, FeedWarning } from '../../src/data/MarketDataFeed.js';
import { marketDataListener } from '../../src/data/MarketDataFeed.js';
import { CcxtMarketDataFeed } from '../../src/exchanges/ccxt/CcxtMarketDataFeed.js';
import { TestClock } from '../../src/kernel/Clock.js';

/** A streaming venue whose book sequence breaks on every snapshot (ccxt's InvalidNonce each time). */
class BrokenBookVenue {
  readonly id = 'brokenbook';
  readonly has: Record<string, boolean> = { watchOrderBook: true, fetchOrderBook: true };
  readonly timeframes: Record<string, string> = { '1m': '1m' };
  markets: Record<string, unknown> | undefined;
  watches = 0;

  loadMarkets(): Promise<unknown> {
    this.markets = { 'A/B': { symbol: 'A/B' } };
    return Promise.resolve(this.markets);
  }
  market(symbol: string): unknown {
    return { symbol };
  }
  watchOrderBook(): Promise<unknown> {
    this.watches++;
    return Promise.reject(new InvalidNonce('brokenbook A/B orderbook nonce gap'));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Ten macrotask turns: enough for any retry that does not wait for the clock to happen. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
}

describe('CcxtMarketDataFeed book resyncs', () => {
  it('retries a broken sequence at once only a few times in a row, then backs off like any failure', async () => {
    const venue = new BrokenBookVenue();
    const clock = new TestClock(1_700_000_000_000);
    const warnings: FeedWarning[] = [];
    const gaps: FeedGap[] = [];
    const feed = new CcxtMarketDataFeed({
      exchange: venue as unknown as Exchange,
      symbols: ['A/B'],
      clock,
      streams: { trades: false, ohlcv: false, ticker: false, book: true },
      staleAfterMs: 60_000,
      quietCloseAfterMs: false,
      backoff: { initialMs: 1000, maxMs: 1000, jitter: 0 },
      listener: marketDataListener({ onWarning: (w) => warnings.push(w), onGap: (g) => gaps.push(g) }),
    });
    await feed.start();
    // One watch, three immediate resyncs, then a backoff wait that only the clock ends.
    await vi.waitFor(() => expect(venue.watches).toBe(4));
    await settle();
    expect(venue.watches).toBe(4);
    expect(feed.stats().bookResyncs).toBe(4);
    expect(warnings.filter((w) => w.code === 'FEED_RECONNECTING')).toHaveLength(1);
    expect(gaps.some((g) => g.stream === 'book' && g.phase === 'open')).toBe(true);
    clock.advanceTo(clock.now() + 1000);
    await vi.waitFor(() => expect(venue.watches).toBe(8));
    await settle();
    expect(venue.watches).toBe(8);
    await feed.stop();
  });
});
