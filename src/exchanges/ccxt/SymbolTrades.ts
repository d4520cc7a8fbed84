import { RecentMap } from '../../core/RecentMap.js';
import type { FeedGap } from '../../data/MarketDataFeed.js';
import { FeedWarningCode } from '../../data/MarketDataFeed.js';
import { compareTradeIds } from '../../data/TradeBarBuilder.js';
import type { Trade } from '../../model/Bar.js';
import { TradeSequencer, tradeIdNumber } from '../TradeSequencer.js';
import type { TradeIdScheme } from './fetchTradesFromId.js';
import { fetchRecentTrades, fetchTradesFromId, fetchTradesSince } from './fetchTradesFromId.js';
import type { SymbolTradeCounts, SymbolTradesContext, TfState } from './SymbolTradesContext.js';
import type { BackfillContext, BackfillResult } from './tradeBackfill.js';
import { backfillById, backfillByTime, errorText, fetchHead } from './tradeBackfill.js';
import { firstTrade, idProblem } from './tradeOrder.js';
import { TimeframeBars } from './TimeframeBars.js';

/**
 * The trades of one symbol on their way to bars: once each and in venue order (a sequencer
 * for consecutive ids, a filter of recent ids for opaque ones), the first period completed
 * and every hole filled by REST, then into the bars of each timeframe (TimeframeBars), each
 * closed bar checked against the venue's candle.
 */
export class SymbolTrades {
  readonly tfs: readonly TfState[];
  /** The bars each timeframe builds from the trades delivered here. */
  private readonly bars: TimeframeBars;
  /** Consecutive ids; dropped before the start if the venue's ids turn out not to be integers. */
  private seq: TradeSequencer | undefined;
  /** Opaque ids: ids delivered recently, to drop repeats. */
  private readonly seen = new RecentMap<string, true>(20_000);
  /** Opaque ids: repeats dropped. */
  private duplicates = 0;
  /** Trades received before the sequence start is known, or while an opaque repair runs. */
  private held: Trade[] | undefined;
  private started = false;
  private lastTradeTs = -Infinity;
  private repairing: Promise<void> | undefined;
  private backfillRequests = 0;
  private backfilledTrades = 0;
  private skippedTradeIds = 0;

  constructor(
    private readonly ctx: SymbolTradesContext,
    readonly symbol: string,
    timeframes: readonly string[],
    scheme: TradeIdScheme,
  ) {
    this.bars = new TimeframeBars(ctx, symbol, timeframes);
    this.tfs = this.bars.tfs;
    this.seq = scheme === 'consecutive' ? new TradeSequencer(symbol) : undefined;
  }

  /** Trades from the stream (or a poll), in any order, possibly repeated. */
  onTrades(trades: readonly Trade[]): void {
    if (trades.length === 0) return;
    if (!this.started) {
      // The first trades: complete the period they fall in before delivering anything.
      if (this.held === undefined) {
        this.held = [...trades];
        this.startHead();
      } else {
        this.held.push(...trades);
      }
      return;
    }
    this.ingest(trades);
  }

  /** The next trades by REST, for a venue that cannot stream them. */
  async poll(): Promise<Trade[]> {
    const { exchange } = this.ctx;
    const limit = this.ctx.backfillLimit;
    const from = this.seq?.expectedId();
    return from !== undefined && this.started
      ? (await fetchTradesFromId(exchange, this.symbol, from, limit, this.lastTradeTs)).trades
      : this.lastTradeTs > -Infinity
        ? await fetchTradesSince(exchange, this.symbol, this.lastTradeTs, limit)
        : await fetchRecentTrades(exchange, this.symbol, limit);
  }

  /** The trade stream is subscribed again after a failure. */
  reconnected(): void {
    // Trades printed while we were away are fetched by REST; later gaps show as id jumps.
    if (this.started) this.startRepair('reconnect');
  }

  /**
   * Closes the forming bars that ended before `upTo` (venue time) with no later trade, unless
   * the sequence is not known whole: not started, being repaired, or with an open hole. (The
   * stream itself being up and fresh is the feed's to check.)
   */
  closeQuiet(upTo: number): void {
    const whole = this.started && this.repairing === undefined && this.seq?.gap() === undefined;
    if (!whole) return;
    this.bars.closeUpTo(upTo);
  }

  /** Compares the venue's final candles of `tf` with our closed bars, as far as both go. */
  settle(tf: TfState): void {
    this.bars.settle(tf);
  }

  /** The head fetch or repair under way, if any. */
  pendingRepair(): Promise<void> | undefined {
    return this.repairing;
  }

  counts(): SymbolTradeCounts {
    const { lateTrades, barsChecked } = this.bars.counts();
    return {
      duplicateTrades: this.seq?.duplicates() ?? this.duplicates,
      lateTrades,
      barsChecked,
      backfillRequests: this.backfillRequests,
      backfilledTrades: this.backfilledTrades,
      skippedTradeIds: this.skippedTradeIds,
    };
  }

  /** Delivers trades through the sequencer (consecutive ids) or the repeat filter (opaque). */
  private ingest(trades: readonly Trade[]): void {
    if (trades.length === 0) return;
    if (this.seq !== undefined) {
      const problem = idProblem(trades);
      if (problem !== undefined) return this.leaveSequence(this.seq, trades, problem);
      this.apply(this.seq.push(trades));
      const g = this.seq.gap();
      if (g !== undefined && this.repairing === undefined) this.startRepair('trade-id-jump');
      return;
    }
    if (this.held !== undefined) {
      this.held.push(...trades);
      return;
    }
    const fresh = trades.filter((t) => !this.seen.has(t.id));
    this.duplicates += trades.length - fresh.length;
    fresh.sort((a, b) => a.ts - b.ts || compareTradeIds(a.id, b.id));
    this.apply(fresh);
  }

  private apply(trades: readonly Trade[]): void {
    const { ctx } = this;
    if (trades.length === 0 || ctx.stopped()) return;
    let late = 0;
    for (const t of trades) {
      if (this.seq === undefined) {
        if (this.seen.has(t.id)) {
          this.duplicates++;
          continue;
        }
        this.seen.set(t.id, true);
      }
      if (t.ts > this.lastTradeTs) this.lastTradeTs = t.ts;
      // The bars first (a trade of a new period closes the previous one), then the trade.
      late += this.bars.add(t);
      ctx.emit(() => ctx.listener.onTrade(t));
    }
    ctx.observeVenueTime(this.lastTradeTs);
    this.bars.emitForming();
    if (late > 0) {
      ctx.emit(() =>
        ctx.listener.onWarning({
          code: FeedWarningCode.LateTrades,
          message: `${this.symbol}: ${late} trade(s) arrived after their bar closed; not applied`,
          symbol: this.symbol,
          details: { late },
        }),
      );
    }
  }

  /**
   * The first trades arrived mid-period: fetch the trades before them back to the start of
   * the longest timeframe's period (consecutive ids only), so the first bars are whole.
   */
  private startHead(): void {
    this.repairing = this.head()
      .catch((e: unknown) => {
        this.ctx.emit(() => this.ctx.listener.onError(e));
        // Fetch failures are absorbed by fetchHead; what reaches here would fail again on the
        // same held trades, so retrying cannot help: start without a sequence instead of
        // holding the symbol's trades (and freezing its bars) forever.
        if (!this.started && !this.ctx.stopped()) this.fallBackToOpaque(errorText(e));
      })
      // Delivery failing in the fallback is reported like any other, never left unhandled.
      .catch((e: unknown) => this.ctx.emit(() => this.ctx.listener.onError(e)))
      .finally(() => {
        this.repairing = undefined;
        if (!this.ctx.stopped() && this.seq?.gap() !== undefined) this.startRepair('trade-id-jump');
      });
  }

  private async head(): Promise<void> {
    const first = firstTrade(this.held ?? []);
    if (first === undefined) return;
    // Opaque ids: nothing to fetch by; trades from the first one on are all we know.
    if (this.seq === undefined) return this.begin(first, [], first.ts);
    // A venue taken for consecutive ids that sends another kind cannot be sequenced at all.
    const problem = idProblem(this.held ?? []);
    if (problem !== undefined) return this.fallBackToOpaque(problem);
    const oldest = this.bars.earliestPeriodStart(first.ts);
    const { before, coverage } = await fetchHead(this.backfillContext(), first, oldest);
    if (this.ctx.stopped()) return;
    this.begin(first, before, coverage);
  }

  /**
   * Delivers `before` (fetched) and the held trades, and every trade after them as it comes;
   * bars starting before `coverage` may be partial. Trades the sequencer refuses throw before
   * the symbol is started: the held trades are still there to fall back with.
   */
  private begin(first: Trade, before: readonly Trade[], coverage: number): void {
    const startTrade = before[0] ?? first;
    const all = [...before, ...(this.held ?? [])];
    let ordered: Trade[];
    if (this.seq !== undefined) {
      this.seq.startAt(tradeIdNumber(startTrade));
      ordered = this.seq.push(all);
    } else {
      ordered = all.sort((a, b) => a.ts - b.ts || compareTradeIds(a.id, b.id));
    }
    this.bars.startAt(startTrade.ts, coverage);
    this.started = true;
    this.held = undefined;
    this.ctx.log.info(
      {
        feed: this.ctx.feed,
        symbol: this.symbol,
        firstId: startTrade.id,
        fetchedBefore: before.length,
        complete: this.bars.completeFrom(startTrade.ts),
      },
      'trade stream started',
    );
    this.backfilledTrades += before.length;
    this.apply(ordered);
  }

  /**
   * Goes on as for opaque ids (the first bar withheld, holes found by time) when the trades
   * cannot be put in sequence by id: a symbol's bars without the first one beat none at all.
   */
  private fallBackToOpaque(reason: string): void {
    const first = firstTrade(this.held ?? []);
    if (first === undefined) return;
    this.ctx.log.warn(
      { feed: this.ctx.feed, symbol: this.symbol, reason },
      'trade ids cannot be sequenced: going on without a sequence, as for opaque ids',
    );
    this.seq = undefined;
    this.begin(first, [], first.ts);
  }

  /**
   * A started sequence meets an id it cannot sequence (a venue taken for consecutive ids that
   * changed its ids): the batch is still delivered and the symbol goes on as for opaque ids,
   * instead of the stream failing on every such batch. Trades held behind a hole are released
   * (the hole can no longer be fetched by id), and ids below the sequence's next one were
   * delivered already.
   */
  private leaveSequence(seq: TradeSequencer, trades: readonly Trade[], reason: string): void {
    this.ctx.log.warn(
      { feed: this.ctx.feed, symbol: this.symbol, reason, expectedId: seq.expectedId() },
      'trade ids cannot be sequenced: going on without a sequence, as for opaque ids',
    );
    const next = seq.expectedId() ?? 0;
    const skippedBefore = seq.skippedIds();
    const released = seq.releaseAll();
    this.skippedTradeIds += seq.skippedIds() - skippedBefore;
    this.seq = undefined;
    const fresh = trades.filter((t) => !/^\d+$/.test(t.id) || Number(t.id) >= next);
    this.ingest([...released, ...fresh]);
  }

  /** Starts a backfill unless one runs; a hole left when it ends starts another. */
  private startRepair(reason: 'trade-id-jump' | 'reconnect'): void {
    if (this.repairing !== undefined || this.ctx.stopped()) return;
    this.repairing = this.repair(reason)
      .catch((e: unknown) => this.ctx.emit(() => this.ctx.listener.onError(e)))
      .finally(() => {
        this.repairing = undefined;
        if (!this.ctx.stopped() && this.seq?.gap() !== undefined) this.startRepair('trade-id-jump');
      });
  }

  private async repair(reason: 'trade-id-jump' | 'reconnect'): Promise<void> {
    const { ctx, seq } = this;
    const g0 = seq?.gap();
    const info = {
      symbol: this.symbol,
      stream: 'trades' as const,
      reason,
      fromId: seq === undefined ? undefined : String(g0?.fromId ?? seq.expectedId()),
      toId: g0 === undefined ? undefined : String(g0.toId),
      missing: g0?.missing ?? 0,
    };
    ctx.log.warn({ feed: ctx.feed, ...info }, 'trade gap: backfilling by REST');
    this.gap({ ...info, phase: 'open', recovered: 0 });
    let result: BackfillResult;
    if (seq !== undefined) {
      // Reordered messages fill most id jumps by themselves within moments.
      if (reason === 'trade-id-jump' && ctx.gapGraceMs > 0) await ctx.sleep(ctx.gapGraceMs);
      result = await backfillById(this.backfillContext(), seq, reason);
    } else {
      // Hold the stream while fetching what was missed, then deliver the held trades after.
      this.held ??= [];
      try {
        result = await backfillByTime(this.backfillContext(), (id) => this.seen.has(id));
      } finally {
        const held = this.held;
        this.held = undefined;
        this.apply(
          held.filter((t) => !this.seen.has(t.id)).sort((a, b) => a.ts - b.ts || compareTradeIds(a.id, b.id)),
        );
      }
    }
    this.backfilledTrades += result.recovered;
    this.skippedTradeIds += result.unfillable;
    const phase = result.unfillable > 0 || seq?.gap() !== undefined ? 'unfillable' : 'filled';
    ctx.log.info({ feed: ctx.feed, ...info, ...result, phase }, 'trade gap closed');
    this.gap({ ...info, phase, recovered: result.recovered });
  }

  private gap(info: FeedGap): void {
    this.ctx.emit(() => this.ctx.listener.onGap(info));
  }

  private backfillContext(): BackfillContext {
    const { ctx } = this;
    return {
      exchange: ctx.exchange,
      symbol: this.symbol,
      limit: ctx.backfillLimit,
      maxRequests: ctx.maxBackfillPages,
      feed: ctx.feed,
      log: ctx.log,
      sleep: (ms) => ctx.sleep(ms),
      backoff: () => ctx.backoff(),
      stopped: () => ctx.stopped(),
      deliver: (trades) => this.apply(trades),
      lastTradeTs: () => this.lastTradeTs,
      counted: () => {
        this.backfillRequests++;
      },
    };
  }
}
