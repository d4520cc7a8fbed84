import type { Exchange } from 'ccxt';
import type { FeedGap, FeedWarning, OrderBookView, Ticker } from '../../src/data/MarketDataFeed.js';
import { marketDataListener } from '../../src/data/MarketDataFeed.js';
import type { CcxtMarketDataFeedOptions } from '../../src/exchanges/ccxt/CcxtMarketDataFeed.js';
import { CcxtMarketDataFeed } from '../../src/exchanges/ccxt/CcxtMarketDataFeed.js';
import { createExchange } from '../../src/exchanges/ccxt/createExchange.js';
import type { FeedLogger } from '../../src/exchanges/FeedLogger.js';
import type { Bar, Trade } from '../../src/model/Bar.js';
import { FakeBinance } from '../support/fakeBinance/FakeBinance.js';
import type { FakeMarket } from '../support/fakeBinance/FakeBinance.js';

/** Polls `cond` until it holds; fails with `what` after `timeoutMs`. No fixed sleeps. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Everything a feed told its listener, in order. */
export class Recorder {
  readonly closed: Bar[] = [];
  readonly forming: Bar[] = [];
  readonly trades: Trade[] = [];
  readonly gaps: FeedGap[] = [];
  readonly warnings: FeedWarning[] = [];
  readonly errors: unknown[] = [];
  readonly stale: { symbol: string; since: number; at: number }[] = [];
  readonly fresh: { symbol: string; at: number }[] = [];
  readonly tickers: Ticker[] = [];
  readonly books: OrderBookView[] = [];
  readonly logs: { level: string; msg: string; obj: Record<string, unknown> }[] = [];

  readonly listener = marketDataListener({
    onBar: (b) => (b.closed ? this.closed : this.forming).push(b),
    onTrade: (t) => this.trades.push(t),
    onGap: (g) => this.gaps.push(g),
    onWarning: (w) => this.warnings.push(w),
    onError: (e) => this.errors.push(e),
    onStale: (symbol, since) => this.stale.push({ symbol, since, at: Date.now() }),
    onFresh: (symbol) => this.fresh.push({ symbol, at: Date.now() }),
    onTicker: (t) => this.tickers.push(t),
    onBook: (b) => this.books.push(b),
  });

  readonly logger: FeedLogger = {
    debug: (obj, msg) => this.logs.push({ level: 'debug', msg, obj }),
    info: (obj, msg) => this.logs.push({ level: 'info', msg, obj }),
    warn: (obj, msg) => this.logs.push({ level: 'warn', msg, obj }),
    error: (obj, msg) => this.logs.push({ level: 'error', msg, obj }),
  };

  closedOf(timeframe: string): Bar[] {
    return this.closed.filter((b) => b.timeframe === timeframe);
  }

  lastTradeId(): number {
    const t = this.trades.at(-1);
    return t === undefined ? -1 : Number(t.id);
  }
}

/** A fake Binance, a ccxt.pro binance pointed at it, and a feed on it (not started). */
export interface FakeSession {
  readonly fake: FakeBinance;
  readonly exchange: Exchange;
  readonly feed: CcxtMarketDataFeed;
  readonly rec: Recorder;
  /** Id of the last trade the fake published for `symbol`. */
  publishedId(symbol: string): number;
  close(): Promise<void>;
}

export async function fakeSession(
  markets: readonly FakeMarket[],
  feedOptions: Partial<Omit<CcxtMarketDataFeedOptions, 'exchange'>> = {},
): Promise<FakeSession> {
  const fake = await FakeBinance.start({ markets, bookLevels: 20 });
  const exchange = createExchange({ id: 'binance', pro: true });
  await fake.configure(exchange);
  const rec = new Recorder();
  const feed = new CcxtMarketDataFeed({
    exchange,
    symbols: markets.map((m) => m.symbol),
    timeframes: ['1m'],
    logger: rec.logger,
    backoff: { initialMs: 20, maxMs: 200 },
    gapGraceMs: 20,
    quietCloseAfterMs: false,
    ...feedOptions,
    listener: feedOptions.listener ?? rec.listener,
  });
  return {
    fake,
    exchange,
    feed,
    rec,
    publishedId: (symbol) => {
      const m = fake.market(symbol);
      return m.cursor === 0 ? -1 : (m.tape.id[m.cursor - 1] as number);
    },
    close: async () => {
      await feed.stop();
      await fake.close();
    },
  };
}
