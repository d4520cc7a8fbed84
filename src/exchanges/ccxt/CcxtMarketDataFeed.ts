import { closeExchange } from './closeExchange.js';
import type { Exchange } from 'ccxt';
import { QtsError } from '../../core/QtsError.js';
import type { MarketDataFeed, MarketDataListener } from '../../data/MarketDataFeed.js';
import { MarketDataFeedKind } from '../../data/MarketDataFeed.js';
import type { Clock } from '../../kernel/Clock.js';
import { LiveClock } from '../../kernel/LiveClock.js';
import type { BackoffOptions } from '../Backoff.js';
import { Backoff } from '../Backoff.js';
import { ExchangeErrorCode } from '../ExchangeErrorCode.js';
import type { FeedLogger } from '../FeedLogger.js';
import { SILENT_LOGGER } from '../FeedLogger.js';
import { BarMismatchConfirmer } from './BarMismatchConfirmer.js';
import type { CcxtMarketDataFeedOptions, FeedStreams } from './CcxtMarketDataFeedOptions.js';
import type { FeedContext } from './FeedContext.js';
import { FeedScheduler } from './FeedScheduler.js';
import type { FeedStats } from './FeedStats.js';
import { feedStats } from './FeedStats.js';
import type { TradeIdScheme } from './fetchTradesFromId.js';
import { tradeIdScheme } from './fetchTradesFromId.js';
import type { RequestProblemHook } from './requestProblem.js';
import { requestProblem } from './requestProblem.js';
import type { SymbolState } from './SymbolStreams.js';
import { SymbolStreams } from './SymbolStreams.js';
import { SymbolTrades } from './SymbolTrades.js';
import type { SymbolTradesContext } from './SymbolTradesContext.js';
import { errorText } from './tradeBackfill.js';

export type { CcxtMarketDataFeedOptions, FeedStreams } from './CcxtMarketDataFeedOptions.js';
export type { FeedStats } from './FeedStats.js';

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
 *
 * The parts: SymbolStreams (each symbol's stream loops), streamLoop (reconnects, polling),
 * SymbolTrades (trades in order, gap repair) and TimeframeBars (trades → bars), candleStream
 * and BarMismatchConfirmer (our bars against the venue's candles), bookStream; FeedStats sums
 * their counters.
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
  private readonly counters = { reconnects: 0, bookResyncs: 0 };
  private readonly symbolStreams: SymbolStreams;
  private readonly mismatches: BarMismatchConfirmer;
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
    const ctx: FeedContext = {
      exchange: this.ex,
      feed: this.name,
      log: this.log,
      listener: this.listener,
      emit: (call) => this.emit(call),
      stopped: () => this.stopped,
      sleep: (ms) => this.timers.sleep(ms),
      backoff: () => this.newBackoff(),
    };
    this.symbolStreams = new SymbolStreams({
      ...ctx,
      pollIntervalMs: this.opts.pollIntervalMs,
      failed: (e, delayMs) => {
        this.counters.reconnects++;
        this.reportRequestProblem(e, delayMs);
      },
      barsFromTrades: this.streams.trades,
      bookDepth: this.opts.bookDepth,
      now: () => this.clock.now(),
      touch: (st) => this.touch(st),
      bookResynced: () => {
        this.counters.bookResyncs++;
      },
    });
    this.mismatches = new BarMismatchConfirmer(ctx);
    const tradesContext: SymbolTradesContext = {
      ...ctx,
      gapGraceMs: this.opts.gapGraceMs,
      backfillLimit: this.opts.backfillLimit,
      maxBackfillPages: this.opts.maxBackfillPages,
      observeVenueTime: (ts) => this.observeVenueTime(ts),
      mismatch: (symbol, timeframe, m) => this.mismatches.confirm(symbol, timeframe, m),
    };
    const timeframes = options.timeframes ?? ['1m'];
    if (options.symbols.length === 0) throw new Error('CcxtMarketDataFeed needs at least one symbol');
    for (const symbol of options.symbols) {
      this.states.push({
        symbol,
        trades: new SymbolTrades(tradesContext, symbol, timeframes, this.scheme),
        tradesConnected: false,
        lastMessageAt: 0,
        stale: false,
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
      if (this.streams.trades) this.spawn(this.symbolStreams.trades(st));
      if (this.streams.ohlcv) for (const tf of st.trades.tfs) this.spawn(this.symbolStreams.candles(st, tf));
      if (this.streams.ticker) this.spawn(this.symbolStreams.ticker(st));
      if (this.streams.book) this.spawn(this.symbolStreams.book(st));
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
        timeframes: this.states[0]?.trades.tfs.map((t) => t.timeframe),
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
        await closeExchange(this.ex);
      } catch (e) {
        this.log.warn({ feed: this.name, err: errorText(e) }, 'closing the exchange failed');
      }
    }
    await Promise.allSettled(this.loops);
    await this.mismatches.settled();
    // A repair may have started another when it ended: wait until none is left.
    for (;;) {
      const pending = this.states
        .map((s) => s.trades.pendingRepair())
        .filter((p): p is Promise<void> => p !== undefined);
      if (pending.length === 0) break;
      await Promise.allSettled(pending);
    }
    this.ownClock?.dispose();
    this.log.info({ feed: this.name, ...this.stats() }, 'market data feed stopped');
  }

  /** Counters since start. */
  stats(): FeedStats {
    return feedStats(
      this.states.map((st) => st.trades.counts()),
      this.counters,
      this.mismatches,
    );
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
      // No trade means a quiet market only while the stream is up and fresh; SymbolTrades
      // also holds back while its own sequence has a hole.
      if (st.tradesConnected && !st.stale) st.trades.closeQuiet(venueNow - quiet);
    }
  }

  // ── plumbing ───────────────────────────────────────────────────────────────────────────

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
