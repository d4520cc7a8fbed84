import type { Exchange } from 'ccxt';
import { QtsError } from '../../core/QtsError.js';
import { isoTime, timeframeToMs } from '../../core/time.js';
import type { Clock } from '../../kernel/Clock.js';
import { LiveClock } from '../../kernel/LiveClock.js';
import type { Bar } from '../../model/Bar.js';
import type { BackoffOptions } from '../Backoff.js';
import { Backoff } from '../Backoff.js';
import { ExchangeErrorCode } from '../ExchangeErrorCode.js';
import { toBar } from './ccxtMappers.js';

/**
 * Where downloaded candles go: the part of the candle store a download needs (the SQLite
 * CandleStore implements it). `upsert` replaces a candle of the same time, so a page
 * fetched twice after an interruption stores nothing twice.
 */
export interface CandleSink {
  upsert(exchange: string, symbol: string, timeframe: string, bars: Bar[]): void;
  /** Open time of the newest stored candle, or undefined when none is stored. */
  lastTimestamp(exchange: string, symbol: string, timeframe: string): number | undefined;
}

/** Progress after each page. */
export interface DownloadProgress {
  readonly pages: number;
  readonly stored: number;
  /** Open time of the next candle wanted. */
  readonly cursor: number;
  readonly from: number;
  readonly until: number;
  readonly timeframeMs: number;
}

/** Candles missing from the venue's history: [from, to) with `bars` candles absent. */
export interface CandleGap {
  readonly from: number;
  readonly to: number;
  readonly bars: number;
}

/** What a download did. */
export interface DownloadResult {
  readonly exchange: string;
  readonly symbol: string;
  readonly timeframe: string;
  /** Where this run started: `since`, or the last candle stored (fetched again, in case the venue revised it). */
  readonly from: number;
  readonly until: number;
  /** The last stored candle found before this run, when resuming. */
  readonly resumedAfter: number | undefined;
  readonly pages: number;
  readonly stored: number;
  readonly firstTs: number | undefined;
  readonly lastTs: number | undefined;
  /** Holes in the venue's history between `from` and the last candle (exchange outages, no trades). */
  readonly gaps: readonly CandleGap[];
  readonly missingBars: number;
}

/** Options of downloadCandles. */
export interface DownloadCandlesOptions {
  readonly exchange: Exchange;
  readonly symbol: string;
  readonly timeframe: string;
  /** Open time of the first candle wanted (ms). */
  readonly since: number;
  /** Candles opening before this (ms, exclusive); default now. Candles still forming are never stored. */
  readonly until?: number;
  readonly store: CandleSink;
  /** Candles per request (default 1000, Binance's maximum). */
  readonly pageLimit?: number;
  /** Attempts per page before giving up (default 4). */
  readonly attempts?: number;
  readonly backoff?: Partial<BackoffOptions>;
  readonly onProgress?: (p: DownloadProgress) => void;
  /** Wall clock, for `until` and the forming candle (default LiveClock). */
  readonly clock?: Clock;
  /** Name the candles are stored under (default the ccxt id). */
  readonly exchangeName?: string;
}

/**
 * Downloads a symbol's candle history into a store, page by page (fetchOHLCV, 1000 per
 * request), each page stored as soon as it arrives, through ccxt's rate limiter (on in
 * createExchange). An interrupted download resumes at the last stored candle when run
 * again (upsert: stored once), so a restart neither duplicates nor skips a candle. The
 * candle still forming at `now` is never stored. A failed request is retried with
 * backoff; when it keeps failing, ERR_EXCHANGE_REQUEST is thrown with everything fetched
 * so far already stored.
 *
 * https://developers.binance.com/docs/binance-spot-api-docs/rest-api/market-data-endpoints#klinecandlestick-data
 */
export async function downloadCandles(opts: DownloadCandlesOptions): Promise<DownloadResult> {
  const { exchange, symbol, timeframe, store } = opts;
  const name = opts.exchangeName ?? exchange.id;
  const tfMs = timeframeToMs(timeframe);
  const clock = opts.clock ?? new LiveClock();
  const now = clock.now();
  const until = Math.min(opts.until ?? now, Math.floor(now / tfMs) * tfMs);
  const limit = opts.pageLimit ?? 1000;
  const attempts = opts.attempts ?? 4;
  if (exchange.has['fetchOHLCV'] !== true) {
    throw new QtsError(ExchangeErrorCode.NotSupported, `${exchange.id} serves no candle history`, {
      exchange: exchange.id,
    });
  }
  if (exchange.timeframes[timeframe] === undefined) {
    throw new QtsError(ExchangeErrorCode.NotSupported, `${exchange.id} has no ${timeframe} candles`, {
      exchange: exchange.id,
      timeframe,
      supported: Object.keys(exchange.timeframes),
    });
  }
  await withRetries(() => exchange.loadMarkets(), attempts, opts.backoff, `${exchange.id} markets`);
  if ((exchange.markets as Record<string, unknown> | undefined)?.[symbol] === undefined) {
    throw new QtsError(ExchangeErrorCode.BadSymbol, `${exchange.id} does not list ${symbol}`, {
      exchange: exchange.id,
      symbol,
    });
  }

  const resumedAfter = store.lastTimestamp(name, symbol, timeframe);
  const since = Math.ceil(opts.since / tfMs) * tfMs;
  // Resume at the last stored candle itself: upsert makes fetching it again harmless, and
  // it heals a candle stored by a tool that kept the still-forming one.
  const from = resumedAfter !== undefined && resumedAfter >= since ? resumedAfter : since;
  let cursor = from;
  let pages = 0;
  let stored = 0;
  let firstTs: number | undefined;
  let lastTs: number | undefined;
  let prevTs: number | undefined;
  const gaps: CandleGap[] = [];

  while (cursor < until) {
    const page = await withRetries(
      () => exchange.fetchOHLCV(symbol, timeframe, cursor, limit),
      attempts,
      opts.backoff,
      `${exchange.id} ${symbol} ${timeframe} candles from ${isoTime(cursor)}`,
    );
    pages++;
    const bars: Bar[] = [];
    for (const c of page) {
      const b = toBar(c, symbol, timeframe, true);
      // Keep only whole candles of the range, in order, each once.
      if (b === undefined || b.ts < cursor || b.ts >= until || b.ts % tfMs !== 0) continue;
      if (lastTs !== undefined && b.ts <= lastTs) continue;
      bars.push(b);
      lastTs = b.ts;
    }
    if (bars.length === 0) break; // nothing more in the range
    store.upsert(name, symbol, timeframe, bars);
    stored += bars.length;
    firstTs ??= bars[0]?.ts;
    for (const b of bars) {
      const expected = prevTs === undefined ? from : prevTs + tfMs;
      if (b.ts > expected) gaps.push({ from: expected, to: b.ts, bars: (b.ts - expected) / tfMs });
      prevTs = b.ts;
    }
    cursor = (lastTs as number) + tfMs;
    opts.onProgress?.({ pages, stored, cursor, from, until, timeframeMs: tfMs });
  }
  return {
    exchange: name,
    symbol,
    timeframe,
    from,
    until,
    resumedAfter,
    pages,
    stored,
    firstTs,
    lastTs,
    gaps,
    missingBars: gaps.reduce((n, g) => n + g.bars, 0),
  };
}

async function withRetries<T>(
  call: () => Promise<T>,
  attempts: number,
  backoffOptions: Partial<BackoffOptions> | undefined,
  what: string,
): Promise<T> {
  const backoff = new Backoff(backoffOptions);
  for (let i = 1; ; i++) {
    try {
      return await call();
    } catch (e) {
      if (i >= attempts) {
        throw new QtsError(
          ExchangeErrorCode.Request,
          `${what}: failed ${attempts} time(s): ${e instanceof Error ? e.message : String(e)}`,
          { attempts },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, backoff.next()));
    }
  }
}
