import type { Exchange, OHLCV, OrderBook as CcxtOrderBook, Ticker as CcxtTicker } from 'ccxt';
import { InvalidNonce } from 'ccxt';
import { QtsError } from '../../core/QtsError.js';
import { RecentMap } from '../../core/RecentMap.js';
import { timeframeToMs } from '../../core/time.js';
import { bucketStart } from '../../data/bucketStart.js';
import type { FeedGap, MarketDataFeed, MarketDataListener } from '../../data/MarketDataFeed.js';
import { FeedWarningCode, MarketDataFeedKind } from '../../data/MarketDataFeed.js';
import { compareTradeIds, TradeBarBuilder } from '../../data/TradeBarBuilder.js';
import type { Clock } from '../../kernel/Clock.js';
import { LiveClock } from '../../kernel/LiveClock.js';
import type { Bar, Trade } from '../../model/Bar.js';
import type { BackoffOptions } from '../Backoff.js';
import { Backoff } from '../Backoff.js';
import type { BarMismatch } from '../ExchangeBarCheck.js';
import { barDifferences, ExchangeBarCheck } from '../ExchangeBarCheck.js';
import { ExchangeErrorCode } from '../ExchangeErrorCode.js';
import type { FeedLogger } from '../FeedLogger.js';
import { SILENT_LOGGER } from '../FeedLogger.js';
import { TradeSequencer } from '../TradeSequencer.js';
import { toBar, toBook, toTicker, toTrades } from './ccxtMappers.js';
import { watchTickerParams } from './venueQuirks.js';
import type { TradeIdScheme } from './fetchTradesFromId.js';
import {
  fetchRecentTrades,
  fetchTradesFromId,
  fetchTradesSince,
  tradeIdScheme,
} from './fetchTradesFromId.js';
import { FeedScheduler } from './FeedScheduler.js';
import type { RequestProblemHook } from './requestProblem.js';
import { requestProblem } from './requestProblem.js';
import type { BackfillContext, BackfillResult } from './tradeBackfill.js';
import { backfillById, backfillByTime, errorText, fetchHead } from './tradeBackfill.js';

/** Which streams a feed opens for each symbol (all by default). */
export interface FeedStreams {
  /** Public trades → our bars (the bars the engine trades on). */
  readonly trades: boolean;
  /** The venue's candles: checked against ours; the bar source when trades are off. */
  readonly ohlcv: boolean;
  readonly ticker: boolean;
  readonly book: boolean;
}

/** Options of a CcxtMarketDataFeed. */
export interface CcxtMarketDataFeedOptions {
  /** A ccxt exchange (ccxt.pro for streams; a REST instance is polled). See createExchange. */
  readonly exchange: Exchange;
  readonly symbols: readonly string[];
  /** Bar timeframes built from trades (default ["1m"]). */
  readonly timeframes?: readonly string[];
  readonly listener: MarketDataListener;
  /** Wall clock for timers and staleness (default LiveClock). */
  readonly clock?: Clock;
  readonly streams?: Partial<FeedStreams>;
  /** Levels per side in each OrderBookView (default 20). */
  readonly bookDepth?: number;
  /** No message for a symbol this long (wall ms) ⇒ onStale (default 30 000). */
  readonly staleAfterMs?: number;
  /**
   * A forming bar with no later trade is closed once venue time is this far past its end
   * (default 5 000 ms); false: bars close only when a later trade arrives.
   */
  readonly quietCloseAfterMs?: number | false;
  readonly backoff?: Partial<BackoffOptions>;
  /** Seed of the backoff jitter (default 1). */
  readonly seed?: number;
  /** Interval of REST polling for streams the venue cannot stream (default 2 000 ms). */
  readonly pollIntervalMs?: number;
  /** Default: from the exchange id (Binance: consecutive). */
  readonly tradeIds?: TradeIdScheme;
  /** After a trade id jump, time allowed for the missing trades to arrive late before fetching them (default 250 ms). */
  readonly gapGraceMs?: number;
  /** Trades per backfill request (default 1000, Binance's maximum). */
  readonly backfillLimit?: number;
  /** Backfill requests per repair before giving up on a hole (default 200). */
  readonly maxBackfillPages?: number;
  readonly logger?: FeedLogger;
  readonly name?: string;
  /** Close the exchange's connections in stop() (default true; false when the instance is shared). */
  readonly closeExchangeOnStop?: boolean;
  /** Told of each failed request and the wait before its retry (metrics of errors and rate-limit waits). */
  readonly onRequestProblem?: RequestProblemHook;
}

/** Counters of a running feed, for health endpoints and tests. */
export interface FeedStats {
  readonly reconnects: number;
  readonly backfillRequests: number;
  readonly backfilledTrades: number;
  readonly duplicateTrades: number;
  readonly lateTrades: number;
  readonly skippedTradeIds: number;
  readonly bookResyncs: number;
  /** Closed bars compared with the venue's candle of the same period. */
  readonly barsChecked: number;
  /** Bars that differ from the venue's candle (confirmed by its REST history when possible). */
  readonly barMismatches: number;
  /** Stream candles that differed but the venue's REST history agreed with our bar. */
  readonly barStreamArtifacts: number;
}

interface TfState {
  readonly timeframe: string;
  readonly ms: number;
  readonly builder: TradeBarBuilder;
  readonly check: ExchangeBarCheck;
  /** Bars before this bucket may be partial (we joined mid-bucket): not delivered. */
  firstFullBucket: number;
}

interface SymbolState {
  readonly symbol: string;
  readonly tfs: TfState[];
  readonly seq: TradeSequencer | undefined;
  /** Opaque ids: ids delivered recently, to drop repeats. */
  readonly seen: RecentMap<string, true>;
  /** Opaque ids: repeats dropped. */
  duplicates: number;
  /** Trades received before the sequence start is known, or while an opaque repair runs. */
  held: Trade[] | undefined;
  started: boolean;
  lastTradeTs: number;
  repair: Promise<void> | undefined;
  tradesConnected: boolean;
  lastMessageAt: number;
  stale: boolean;
  bookSequence: number | undefined;
}

type StreamKind = 'trades' | 'ohlcv' | 'ticker' | 'book';

const WATCH: Record<StreamKind, string> = {
  trades: 'watchTrades',
  ohlcv: 'watchOHLCV',
  ticker: 'watchTicker',
  book: 'watchOrderBook',
};
const FETCH: Record<StreamKind, string> = {
  trades: 'fetchTrades',
  ohlcv: 'fetchOHLCV',
  ticker: 'fetchTicker',
  book: 'fetchOrderBook',
};

/** Resyncs of one stream retried at once, in a row, before they wait a backoff delay. */
const MAX_IMMEDIATE_RESYNCS = 3;

/**
 * Live market data from a ccxt exchange: trades, the bars built from them, tickers and
 * order books of a list of symbols, through ccxt.pro WebSocket streams — REST polling
 * where the venue (per ccxt `has`) cannot stream.
 *
 * Guarantees, per symbol:
 * - **Bars are ours, built from trades** (TradeBarBuilder), forming updates then each bar
 *   closed once. The venue's candles are only compared with them (FEED_BAR_MISMATCH).
 * - **Trades once each, in venue order.** Repeats are dropped by id. On venues whose ids
 *   are consecutive (Binance), a jump in ids holds later trades back, waits `gapGraceMs`
 *   for stragglers, then fetches the missing ids by REST (paginated); the bars built
 *   afterwards equal the uninterrupted ones. Ids the venue cannot supply are skipped and
 *   reported as an `unfillable` gap.
 * - **Reconnects**: each stream retries with exponential backoff and seeded jitter capped
 *   at `backoff.maxMs`, logging each attempt; after a trade stream reconnects, the trades
 *   missed meanwhile are fetched by REST from the last id (or time) seen.
 * - **The first bar** of each timeframe is completed by REST from the start of its period
 *   on consecutive-id venues; elsewhere a bar we joined mid-period is not delivered.
 * - **Staleness**: no message for `staleAfterMs` ⇒ onStale; the next message ⇒ onFresh.
 * - **Quiet periods**: a forming bar closes once venue time (estimated from the last venue
 *   timestamps plus wall time since) is `quietCloseAfterMs` past its end, but only while
 *   the trade stream is connected, fresh and without an open hole.
 * - **Books**: ccxt keeps each book from a snapshot plus diffs and checks their sequence;
 *   a broken sequence (or one that goes back) is reported as a gap and the book is
 *   resubscribed, which fetches a new snapshot.
 * - `stop()` closes the connections and every timer; nothing is left running.
 */
export class CcxtMarketDataFeed implements MarketDataFeed {
  readonly name: string;
  readonly kind = MarketDataFeedKind.Exchange;
  private readonly ex: Exchange;
  private readonly listener: MarketDataListener;
  private readonly clock: Clock;
  private readonly ownClock: LiveClock | undefined;
  private readonly log: FeedLogger;
  private readonly streams: FeedStreams;
  private readonly states: SymbolState[] = [];
  private readonly scheme: TradeIdScheme;
  private readonly opts: {
    bookDepth: number;
    staleAfterMs: number;
    quietCloseAfterMs: number | false;
    pollIntervalMs: number;
    gapGraceMs: number;
    backfillLimit: number;
    maxBackfillPages: number;
    closeExchangeOnStop: boolean;
  };
  private readonly backoffOptions: Partial<BackoffOptions>;
  private seed: number;
  private running = false;
  private stopped = false;
  private readonly loops: Promise<void>[] = [];
  private readonly timers: FeedScheduler;
  /** Venue time minus wall time, from the most advanced venue timestamp seen. */
  private venueOffset: number | undefined;
  private counters = {
    reconnects: 0,
    backfillRequests: 0,
    backfilledTrades: 0,
    skippedTradeIds: 0,
    bookResyncs: 0,
    barMismatches: 0,
    barStreamArtifacts: 0,
  };
  private readonly confirming = new Set<Promise<void>>();
  private readonly onRequestProblem: RequestProblemHook | undefined;

  constructor(options: CcxtMarketDataFeedOptions) {
    this.ex = options.exchange;
    this.listener = options.listener;
    this.ownClock = options.clock === undefined ? new LiveClock() : undefined;
    this.clock = options.clock ?? (this.ownClock as LiveClock);
    this.log = options.logger ?? SILENT_LOGGER;
    this.name = options.name ?? `ccxt:${this.ex.id}`;
    this.streams = { trades: true, ohlcv: true, ticker: true, book: true, ...options.streams };
    this.scheme = options.tradeIds ?? tradeIdScheme(this.ex);
    this.opts = {
      bookDepth: options.bookDepth ?? 20,
      staleAfterMs: options.staleAfterMs ?? 30_000,
      quietCloseAfterMs: options.quietCloseAfterMs ?? 5_000,
      pollIntervalMs: options.pollIntervalMs ?? 2_000,
      gapGraceMs: options.gapGraceMs ?? 250,
      backfillLimit: options.backfillLimit ?? 1000,
      maxBackfillPages: options.maxBackfillPages ?? 200,
      closeExchangeOnStop: options.closeExchangeOnStop ?? true,
    };
    this.backoffOptions = options.backoff ?? {};
    this.seed = options.seed ?? 1;
    this.onRequestProblem = options.onRequestProblem;
    this.timers = new FeedScheduler(this.clock, this.name);
    const timeframes = options.timeframes ?? ['1m'];
    if (options.symbols.length === 0) throw new Error('CcxtMarketDataFeed needs at least one symbol');
    for (const symbol of options.symbols) {
      this.states.push({
        symbol,
        tfs: timeframes.map((tf) => ({
          timeframe: tf,
          ms: timeframeToMs(tf),
          builder: new TradeBarBuilder(symbol, tf),
          check: new ExchangeBarCheck(symbol, tf),
          firstFullBucket: -Infinity,
        })),
        seq: this.scheme === 'consecutive' ? new TradeSequencer(symbol) : undefined,
        seen: new RecentMap(20_000),
        duplicates: 0,
        held: undefined,
        started: false,
        lastTradeTs: -Infinity,
        repair: undefined,
        tradesConnected: false,
        lastMessageAt: 0,
        stale: false,
        bookSequence: undefined,
      });
    }
  }

  /**
   * Loads the markets, checks the symbols, and starts every stream and the watchdog.
   * Throws ERR_EXCHANGE_REQUEST when the markets cannot be loaded, ERR_EXCHANGE_BAD_SYMBOL
   * for a symbol the venue does not list.
   */
  async start(): Promise<void> {
    if (this.running || this.stopped) throw new Error(`${this.name}: start() called twice`);
    this.running = true;
    try {
      await this.ex.loadMarkets();
    } catch (e) {
      throw new QtsError(ExchangeErrorCode.Request, `${this.ex.id}: cannot load markets: ${errorText(e)}`, {
        exchange: this.ex.id,
      });
    }
    for (const st of this.states) {
      if ((this.ex.markets as Record<string, unknown> | undefined)?.[st.symbol] === undefined) {
        throw new QtsError(ExchangeErrorCode.BadSymbol, `${this.ex.id} does not list ${st.symbol}`, {
          exchange: this.ex.id,
          symbol: st.symbol,
        });
      }
    }
    const now = this.clock.now();
    for (const st of this.states) {
      st.lastMessageAt = now;
      if (this.streams.trades) this.spawn(this.tradesLoop(st));
      if (this.streams.ohlcv) for (const tf of st.tfs) this.spawn(this.ohlcvLoop(st, tf));
      if (this.streams.ticker) this.spawn(this.tickerLoop(st));
      if (this.streams.book) this.spawn(this.bookLoop(st));
    }
    const staleCheck = Math.max(10, Math.min(1000, Math.floor(this.opts.staleAfterMs / 4)));
    this.timers.every(staleCheck, () => this.checkStale());
    const quiet = this.opts.quietCloseAfterMs;
    if (quiet !== false && this.streams.trades)
      this.timers.every(Math.max(10, Math.min(1000, quiet)), () => this.closeQuiet());
    this.log.info(
      {
        feed: this.name,
        symbols: this.states.map((s) => s.symbol),
        timeframes: this.states[0]?.tfs.map((t) => t.timeframe),
        tradeIds: this.scheme,
        streams: this.streams,
      },
      'market data feed started',
    );
  }

  /** Stops every stream and timer and closes the connections; safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.timers.stop();
    if (this.opts.closeExchangeOnStop) {
      try {
        await this.ex.close();
      } catch (e) {
        this.log.warn({ feed: this.name, err: errorText(e) }, 'closing the exchange failed');
      }
    }
    await Promise.allSettled(this.loops);
    await Promise.allSettled([...this.confirming]);
    // A repair may have started another when it ended: wait until none is left.
    for (;;) {
      const pending = this.states.map((s) => s.repair).filter((p): p is Promise<void> => p !== undefined);
      if (pending.length === 0) break;
      await Promise.allSettled(pending);
    }
    this.ownClock?.dispose();
    this.log.info({ feed: this.name, ...this.stats() }, 'market data feed stopped');
  }

  /** Counters since start. */
  stats(): FeedStats {
    let dups = 0;
    let late = 0;
    let checked = 0;
    for (const st of this.states) {
      dups += st.seq?.duplicates() ?? st.duplicates;
      for (const tf of st.tfs) {
        late = Math.max(late, tf.builder.stats().late);
        checked += tf.check.comparedCount();
      }
    }
    return { ...this.counters, duplicateTrades: dups, lateTrades: late, barsChecked: checked };
  }

  // ── streams ────────────────────────────────────────────────────────────────────────────

  private async tradesLoop(st: SymbolState): Promise<void> {
    const limit = this.opts.backfillLimit;
    await this.streamLoop(st, 'trades', {
      watch: async () => {
        const got = await this.ex.watchTrades(st.symbol);
        st.tradesConnected = true;
        this.onTrades(st, toTrades(got, st.symbol));
      },
      poll: async () => {
        const from = st.seq?.expectedId();
        const got =
          from !== undefined && st.started
            ? (await fetchTradesFromId(this.ex, st.symbol, from, limit, st.lastTradeTs)).trades
            : st.lastTradeTs > -Infinity
              ? await fetchTradesSince(this.ex, st.symbol, st.lastTradeTs, limit)
              : await fetchRecentTrades(this.ex, st.symbol, limit);
        st.tradesConnected = true;
        this.onTrades(st, got);
      },
      onFailure: () => {
        st.tradesConnected = false;
      },
      onRetry: () => {
        // Trades printed while we were away are fetched by REST; later gaps show as id jumps.
        if (st.started) this.startRepair(st, 'reconnect');
      },
    });
  }

  private async ohlcvLoop(st: SymbolState, tf: TfState): Promise<void> {
    if (this.ex.timeframes[tf.timeframe] === undefined) {
      this.log.info(
        { feed: this.name, symbol: st.symbol, timeframe: tf.timeframe },
        'venue has no candles of this timeframe: bars are not cross-checked',
      );
      return;
    }
    const handle = (candles: readonly OHLCV[]): void => {
      this.touch(st);
      const bars: Bar[] = [];
      for (const c of candles) {
        const b = toBar(c, st.symbol, tf.timeframe, false);
        if (b !== undefined) bars.push(b);
      }
      const closed = tf.check.onVenueCandles(bars);
      if (!this.streams.trades) {
        // Without a trade stream the venue's candles are the bars.
        for (const b of closed) this.emit(() => this.listener.onBar(b));
        const latest = bars.at(-1);
        if (latest !== undefined) this.emit(() => this.listener.onBar(latest));
      } else {
        this.settle(st, tf);
      }
    };
    let since: number | undefined;
    await this.streamLoop(st, 'ohlcv', {
      watch: async () => {
        const got = await this.ex.watchOHLCV(st.symbol, tf.timeframe);
        handle(got);
      },
      poll: async () => {
        const got = await this.ex.fetchOHLCV(st.symbol, tf.timeframe, since, 100);
        const last = got.at(-1)?.[0];
        if (last !== undefined) since = last;
        handle(got);
      },
      onFailure: () => tf.check.taint(),
    });
  }

  private async tickerLoop(st: SymbolState): Promise<void> {
    const handle = (t: CcxtTicker): void => {
      this.touch(st);
      const ticker = toTicker(t, st.symbol, this.clock.now());
      this.emit(() => this.listener.onTicker(ticker));
    };
    await this.streamLoop(st, 'ticker', {
      watch: async () => handle(await this.ex.watchTicker(st.symbol, watchTickerParams(this.ex))),
      poll: async () => {
        const t = await this.ex.fetchTicker(st.symbol);
        handle(t);
      },
    });
  }

  private async bookLoop(st: SymbolState): Promise<void> {
    const handle = (b: CcxtOrderBook): void => {
      this.touch(st);
      const seq = b.nonce;
      if (seq !== undefined && st.bookSequence !== undefined && seq < st.bookSequence) {
        // A sequence going back means the local book no longer follows the venue's.
        throw new BookSequenceError(`${st.symbol} book sequence went back from ${st.bookSequence} to ${seq}`);
      }
      st.bookSequence = seq;
      const view = toBook(b, st.symbol, this.opts.bookDepth, this.clock.now());
      this.emit(() => this.listener.onBook(view));
    };
    let resyncing = false;
    await this.streamLoop(st, 'book', {
      watch: async () => {
        const b = await this.ex.watchOrderBook(st.symbol);
        if (resyncing) {
          resyncing = false;
          this.gap({ ...bookGap(st.symbol), phase: 'filled' });
        }
        handle(b);
      },
      poll: async () => {
        const b = await this.ex.fetchOrderBook(st.symbol, this.opts.bookDepth);
        st.bookSequence = undefined; // each poll is a fresh snapshot
        handle(b);
      },
      onFailure: async (e) => {
        st.bookSequence = undefined;
        // ccxt's own check (ChecksumError is an InvalidNonce) or ours.
        if (!(e instanceof InvalidNonce || e instanceof BookSequenceError)) return undefined;
        this.counters.bookResyncs++;
        resyncing = true;
        this.gap({ ...bookGap(st.symbol), phase: 'open' });
        // On its own sequence error ccxt drops the book and its subscription, so the next
        // watch fetches a snapshot; after ours, unsubscribe first (and wait for it) to get
        // the same. Unsubscribing after ccxt's error would race the new subscription.
        if (e instanceof BookSequenceError && this.ex.has['unWatchOrderBook'] === true) {
          try {
            await this.ex.unWatchOrderBook(st.symbol);
          } catch (err) {
            this.log.warn(
              { feed: this.name, symbol: st.symbol, err: errorText(err) },
              'unwatch of the book failed',
            );
          }
        }
        return 'resync';
      },
    });
  }

  /**
   * Runs one stream until stop: `watch` when the venue streams it, `poll` every
   * `pollIntervalMs` otherwise. A failure waits a backoff delay, logs, and retries
   * (`onRetry` runs just before a stream is watched again); 'resync' from onFailure
   * retries at once, up to MAX_IMMEDIATE_RESYNCS times in a row: a venue whose sequence breaks
   * again on every snapshot is then retried with backoff like any failure (each resync costs a
   * REST snapshot, heavy in request weight, and a loop of rejections settling as microtasks
   * would starve every timer of the process).
   */
  private async streamLoop(
    st: SymbolState,
    kind: StreamKind,
    h: {
      watch: () => Promise<void>;
      poll: () => Promise<void>;
      onFailure?: (e: unknown) => Promise<'resync' | undefined> | 'resync' | undefined | void;
      onRetry?: () => void;
    },
  ): Promise<void> {
    const streaming = this.ex.has[WATCH[kind]] === true;
    if (!streaming && this.ex.has[FETCH[kind]] !== true) {
      this.log.warn(
        { feed: this.name, symbol: st.symbol, stream: kind },
        'venue can neither stream nor serve this',
      );
      return;
    }
    if (!streaming) {
      this.log.info(
        { feed: this.name, symbol: st.symbol, stream: kind, everyMs: this.opts.pollIntervalMs },
        'venue cannot stream this: polling REST',
      );
    }
    const backoff = this.newBackoff();
    let resyncs = 0;
    while (!this.stopped) {
      try {
        if (streaming) {
          await h.watch();
          resyncs = 0;
        } else {
          await h.poll();
          await this.timers.sleep(this.opts.pollIntervalMs);
        }
        if (backoff.failures() > 0) {
          this.log.info(
            { feed: this.name, symbol: st.symbol, stream: kind, after: backoff.failures() },
            'stream recovered',
          );
          backoff.reset();
        }
      } catch (e) {
        if (this.stopped) break;
        const action = await h.onFailure?.(e);
        if (action === 'resync' && ++resyncs <= MAX_IMMEDIATE_RESYNCS) {
          this.log.warn({ feed: this.name, symbol: st.symbol, stream: kind, err: errorText(e) }, 'resyncing');
          // Let timers and I/O run between attempts.
          await new Promise<void>((resolve) => setImmediate(resolve));
          continue;
        }
        resyncs = 0;
        this.counters.reconnects++;
        const delayMs = backoff.next();
        this.reportRequestProblem(e, delayMs);
        this.log.warn(
          {
            feed: this.name,
            symbol: st.symbol,
            stream: kind,
            attempt: backoff.failures(),
            delayMs,
            err: errorText(e),
          },
          'stream failed: reconnecting',
        );
        this.emit(() =>
          this.listener.onWarning({
            code: FeedWarningCode.Reconnecting,
            message: `${st.symbol} ${kind}: ${errorText(e)}; retry in ${delayMs} ms`,
            symbol: st.symbol,
            details: { stream: kind, attempt: backoff.failures(), delayMs },
          }),
        );
        await this.timers.sleep(delayMs);
        if (this.stopped) break;
        // A poll picks up from where it stopped by itself; a stream resubscribes "from now".
        if (streaming) h.onRetry?.();
      }
    }
  }

  // ── trades → bars ──────────────────────────────────────────────────────────────────────

  private onTrades(st: SymbolState, trades: readonly Trade[]): void {
    if (trades.length === 0) return;
    this.touch(st);
    if (!st.started) {
      // The first trades: complete the period they fall in before delivering anything.
      if (st.held === undefined) {
        st.held = [...trades];
        this.startHead(st);
      } else {
        st.held.push(...trades);
      }
      return;
    }
    this.ingest(st, trades);
  }

  /** Delivers trades through the sequencer (consecutive ids) or the repeat filter (opaque). */
  private ingest(st: SymbolState, trades: readonly Trade[]): void {
    if (trades.length === 0) return;
    if (st.seq !== undefined) {
      this.apply(st, st.seq.push(trades));
      const g = st.seq.gap();
      if (g !== undefined && st.repair === undefined) this.startRepair(st, 'trade-id-jump');
      return;
    }
    if (st.held !== undefined) {
      st.held.push(...trades);
      return;
    }
    const fresh = trades.filter((t) => !st.seen.has(t.id));
    st.duplicates += trades.length - fresh.length;
    fresh.sort((a, b) => a.ts - b.ts || compareTradeIds(a.id, b.id));
    this.apply(st, fresh);
  }

  private apply(st: SymbolState, trades: readonly Trade[]): void {
    if (trades.length === 0 || this.stopped) return;
    let late = 0;
    for (const t of trades) {
      if (st.seq === undefined) {
        if (st.seen.has(t.id)) {
          st.duplicates++;
          continue;
        }
        st.seen.set(t.id, true);
      }
      if (t.ts > st.lastTradeTs) st.lastTradeTs = t.ts;
      // A trade of a new period first closes the previous bar (that period ended before the
      // print), then is delivered: an order placed on the close can fill on this very print,
      // the next bar's open, as in a backtest.
      for (const tf of st.tfs) {
        const r = tf.builder.add(t);
        if (r.status === 'late') late++;
        if (r.closed !== undefined) this.onOurClosed(st, tf, r.closed);
      }
      this.emit(() => this.listener.onTrade(t));
    }
    this.observeVenueTime(st.lastTradeTs);
    for (const tf of st.tfs) {
      const cur = tf.builder.current();
      if (cur !== undefined) this.emit(() => this.listener.onBar(cur));
    }
    if (late > 0) {
      this.emit(() =>
        this.listener.onWarning({
          code: FeedWarningCode.LateTrades,
          message: `${st.symbol}: ${late} trade(s) arrived after their bar closed; not applied`,
          symbol: st.symbol,
          details: { late },
        }),
      );
    }
  }

  private onOurClosed(st: SymbolState, tf: TfState, bar: Bar): void {
    if (bar.ts < tf.firstFullBucket) {
      this.log.info(
        { feed: this.name, symbol: st.symbol, timeframe: tf.timeframe, ts: bar.ts },
        'first bar joined mid-period: not delivered',
      );
      return;
    }
    this.emit(() => this.listener.onBar(bar));
    tf.check.onOurBar(bar);
    this.settle(st, tf);
  }

  private settle(st: SymbolState, tf: TfState): void {
    const coverage = tf.firstFullBucket === -Infinity ? -Infinity : tf.firstFullBucket;
    for (const m of tf.check.settle(tf.builder.lastClosedTs(), coverage)) {
      const p = this.confirmMismatch(st, tf, m).catch((e: unknown) =>
        this.emit(() => this.listener.onError(e)),
      );
      this.confirming.add(p);
      void p.finally(() => this.confirming.delete(p));
    }
  }

  /**
   * The kline stream says a bar of ours differs. ccxt does not pass on Binance's "candle
   * closed" flag, so the last stream version of a candle can be a stale one (reordered or
   * lost updates): ask the venue's REST history before crying wolf.
   */
  private async confirmMismatch(st: SymbolState, tf: TfState, m: BarMismatch): Promise<void> {
    let theirs: Bar | undefined = m.theirs;
    let confirmed = false;
    if (this.ex.has['fetchOHLCV'] === true) {
      try {
        const rows = await this.ex.fetchOHLCV(st.symbol, tf.timeframe, m.ts, 1);
        const row = rows.find((r) => r[0] === m.ts);
        theirs = row === undefined ? undefined : toBar(row, st.symbol, tf.timeframe, true);
        confirmed = true;
      } catch (e) {
        this.log.warn(
          { feed: this.name, symbol: st.symbol, ts: m.ts, err: errorText(e) },
          'could not confirm a bar',
        );
      }
    }
    const fields = confirmed ? barDifferences(m.ours, theirs) : m.fields;
    if (fields.length === 0) {
      this.counters.barStreamArtifacts++;
      this.log.debug(
        { feed: this.name, symbol: st.symbol, timeframe: tf.timeframe, ts: m.ts, streamFields: m.fields },
        'kline stream showed a stale candle; the venue history agrees with our bar',
      );
      return;
    }
    this.counters.barMismatches++;
    this.log.warn(
      { feed: this.name, symbol: st.symbol, timeframe: tf.timeframe, ts: m.ts, fields, confirmed },
      'our bar differs from the venue candle',
    );
    this.emit(() =>
      this.listener.onWarning({
        code: FeedWarningCode.BarMismatch,
        message: `${st.symbol} ${tf.timeframe} bar at ${new Date(m.ts).toISOString()} differs from the venue's candle in ${fields.join(', ')}`,
        symbol: st.symbol,
        details: { timeframe: tf.timeframe, ts: m.ts, ours: m.ours, theirs, confirmed },
      }),
    );
  }

  /**
   * The first trades arrived mid-period: fetch the trades before them back to the start of
   * the longest timeframe's period (consecutive ids only), so the first bars are whole.
   */
  private startHead(st: SymbolState): void {
    st.repair = this.head(st)
      .catch((e: unknown) => this.emit(() => this.listener.onError(e)))
      .finally(() => {
        st.repair = undefined;
        if (!this.stopped && st.seq?.gap() !== undefined) this.startRepair(st, 'trade-id-jump');
      });
  }

  private async head(st: SymbolState): Promise<void> {
    const held = st.held ?? [];
    const first = held.reduce((a, b) =>
      a.ts < b.ts || (a.ts === b.ts && compareTradeIds(a.id, b.id) <= 0) ? a : b,
    );
    // Opaque ids: nothing to fetch by; trades from the first one on are all we know.
    let head = { before: [] as Trade[], coverage: first.ts };
    if (st.seq !== undefined) {
      const oldest = Math.min(...st.tfs.map((tf) => bucketStart(first.ts, tf.ms)));
      head = await fetchHead(this.backfillContext(st), first, oldest);
    }
    if (this.stopped) return;
    const { before, coverage } = head;
    const startTrade = before[0] ?? first;
    for (const tf of st.tfs) {
      const b = bucketStart(startTrade.ts, tf.ms);
      tf.firstFullBucket = b < coverage ? b + tf.ms : b;
    }
    this.log.info(
      {
        feed: this.name,
        symbol: st.symbol,
        firstId: startTrade.id,
        fetchedBefore: before.length,
        complete: st.tfs.map((tf) => tf.firstFullBucket <= bucketStart(startTrade.ts, tf.ms)),
      },
      'trade stream started',
    );
    this.counters.backfilledTrades += before.length;
    st.started = true;
    const all = [...before, ...held];
    st.held = undefined;
    if (st.seq !== undefined) {
      st.seq.startAt(Number(startTrade.id));
      this.apply(st, st.seq.push(all));
    } else {
      this.apply(
        st,
        all.sort((a, b) => a.ts - b.ts || compareTradeIds(a.id, b.id)),
      );
    }
  }

  /** Starts a backfill unless one runs; a hole left when it ends starts another. */
  private startRepair(st: SymbolState, reason: 'trade-id-jump' | 'reconnect'): void {
    if (st.repair !== undefined || this.stopped) return;
    st.repair = this.repair(st, reason)
      .catch((e: unknown) => this.emit(() => this.listener.onError(e)))
      .finally(() => {
        st.repair = undefined;
        if (!this.stopped && st.seq?.gap() !== undefined) this.startRepair(st, 'trade-id-jump');
      });
  }

  private async repair(st: SymbolState, reason: 'trade-id-jump' | 'reconnect'): Promise<void> {
    const seq = st.seq;
    const g0 = seq?.gap();
    const info = {
      symbol: st.symbol,
      stream: 'trades' as const,
      reason,
      fromId: seq === undefined ? undefined : String(g0?.fromId ?? seq.expectedId()),
      toId: g0 === undefined ? undefined : String(g0.toId),
      missing: g0?.missing ?? 0,
    };
    this.log.warn({ feed: this.name, ...info }, 'trade gap: backfilling by REST');
    this.gap({ ...info, phase: 'open', recovered: 0 });
    let result: BackfillResult;
    if (seq !== undefined) {
      // Reordered messages fill most id jumps by themselves within moments.
      if (reason === 'trade-id-jump' && this.opts.gapGraceMs > 0)
        await this.timers.sleep(this.opts.gapGraceMs);
      result = await backfillById(this.backfillContext(st), seq, reason);
    } else {
      // Hold the stream while fetching what was missed, then deliver the held trades after.
      st.held ??= [];
      try {
        result = await backfillByTime(this.backfillContext(st), (id) => st.seen.has(id));
      } finally {
        const held = st.held;
        st.held = undefined;
        this.apply(
          st,
          held.filter((t) => !st.seen.has(t.id)).sort((a, b) => a.ts - b.ts || compareTradeIds(a.id, b.id)),
        );
      }
    }
    this.counters.backfilledTrades += result.recovered;
    this.counters.skippedTradeIds += result.unfillable;
    const phase = result.unfillable > 0 || seq?.gap() !== undefined ? 'unfillable' : 'filled';
    this.log.info({ feed: this.name, ...info, ...result, phase }, 'trade gap closed');
    this.gap({ ...info, phase, recovered: result.recovered });
  }

  private backfillContext(st: SymbolState): BackfillContext {
    return {
      exchange: this.ex,
      symbol: st.symbol,
      limit: this.opts.backfillLimit,
      maxRequests: this.opts.maxBackfillPages,
      feed: this.name,
      log: this.log,
      sleep: (ms) => this.timers.sleep(ms),
      backoff: () => this.newBackoff(),
      stopped: () => this.stopped,
      deliver: (trades) => this.apply(st, trades),
      lastTradeTs: () => st.lastTradeTs,
      counted: () => {
        this.counters.backfillRequests++;
      },
    };
  }

  // ── time, staleness, quiet bars ────────────────────────────────────────────────────────

  private observeVenueTime(ts: number): void {
    if (!Number.isFinite(ts)) return;
    const offset = ts - this.clock.now();
    if (this.venueOffset === undefined || offset > this.venueOffset) this.venueOffset = offset;
  }

  private touch(st: SymbolState): void {
    st.lastMessageAt = this.clock.now();
    if (st.stale) {
      st.stale = false;
      this.log.info({ feed: this.name, symbol: st.symbol }, 'data fresh again');
      this.emit(() => this.listener.onFresh(st.symbol));
    }
  }

  private checkStale(): void {
    const now = this.clock.now();
    for (const st of this.states) {
      if (!st.stale && now - st.lastMessageAt > this.opts.staleAfterMs) {
        st.stale = true;
        this.log.warn({ feed: this.name, symbol: st.symbol, silentMs: now - st.lastMessageAt }, 'data stale');
        this.emit(() => this.listener.onStale(st.symbol, st.lastMessageAt));
      }
    }
  }

  private closeQuiet(): void {
    const quiet = this.opts.quietCloseAfterMs;
    if (quiet === false || this.venueOffset === undefined) return;
    const venueNow = this.clock.now() + this.venueOffset;
    for (const st of this.states) {
      const healthy =
        st.started &&
        st.tradesConnected &&
        !st.stale &&
        st.repair === undefined &&
        st.seq?.gap() === undefined;
      if (!healthy) continue;
      for (const tf of st.tfs) {
        const bar = tf.builder.closeUpTo(venueNow - quiet);
        if (bar !== undefined) this.onOurClosed(st, tf, bar);
      }
    }
  }

  // ── plumbing ───────────────────────────────────────────────────────────────────────────

  private gap(info: FeedGap): void {
    this.emit(() => this.listener.onGap(info));
  }

  /** Calls the listener; a listener that throws is reported, never allowed to kill a stream. */
  private emit(call: () => void): void {
    if (this.stopped) return;
    try {
      call();
    } catch (e) {
      this.log.error({ feed: this.name, err: errorText(e) }, 'market data listener threw');
      try {
        this.listener.onError(e);
      } catch {
        // The error handler itself failed: already logged above.
      }
    }
  }

  private spawn(p: Promise<void>): void {
    this.loops.push(p.catch((e: unknown) => this.emit(() => this.listener.onError(e))));
  }

  /** A throwing hook must never stop a stream's reconnect loop. */
  private reportRequestProblem(e: unknown, delayMs: number): void {
    try {
      this.onRequestProblem?.(requestProblem(this.ex.id, e, delayMs));
    } catch {
      // metrics are best effort
    }
  }

  private newBackoff(): Backoff {
    return new Backoff(this.backoffOptions, this.seed++);
  }
}

/** Our own book sequence check failed (ccxt's raises InvalidNonce/ChecksumError). */
class BookSequenceError extends Error {
  override readonly name = 'BookSequenceError';
}

function bookGap(symbol: string): Omit<FeedGap, 'phase'> {
  return {
    symbol,
    stream: 'book',
    reason: 'book-sequence',
    fromId: undefined,
    toId: undefined,
    missing: 0,
    recovered: 0,
  };
}
