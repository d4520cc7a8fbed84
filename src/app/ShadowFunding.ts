import type { Exchange } from 'ccxt';
import type { Logger } from 'pino';
import type { ComponentHealth } from '../api/EngineStatus.js';
import { ZERO, formatFixed, mul, neg, toFixed } from '../core/Fixed.js';
import type { Millis } from '../core/time.js';
import type { SettledFundingRate } from '../exchanges/ccxt/fetchFundingPayments.js';
import { fetchSettledFundingRates } from '../exchanges/ccxt/fetchFundingPayments.js';
import { fetchNextFundingTime } from '../exchanges/ccxt/fetchNextFundingTime.js';
import type { FundingSettled } from '../model/futuresEvents.js';
import type { Instrument } from '../model/Instrument.js';
import type { TradingNode } from '../node/TradingNode.js';
import type { FundingPoint, MarkPoint } from '../sim/PerpetualClearing.js';
import type { FundingStore } from '../storage/sqlite/FundingStore.js';

/** What the shadow funding poller works with. */
export interface ShadowFundingOptions {
  /** The keyless market-data instance (public endpoints only). */
  readonly exchange: Exchange;
  readonly node: TradingNode;
  /** The perpetuals traded. */
  readonly instruments: readonly Instrument[];
  /** Which settlements the paper account was charged, by symbol and funding time (its cursor). */
  readonly store: FundingStore;
  readonly log: Logger;
  /** Books a settlement the clearing cannot charge any more (one that came before any market data of this run). */
  readonly book: (event: FundingSettled) => void;
  /** First wait before asking again for a settlement not yet published (doubles up to a minute). */
  readonly retryMs?: number;
}

/** Binance's usual funding interval, when neither the exchange nor the history says another. */
const EIGHT_HOURS = 8 * 3_600_000;
const MAX_RETRY_MS = 60_000;

/** No request gate in shadow: the market-data instance's own rate limiter paces the calls. */
const DIRECT = { run: <T>(call: () => Promise<T>): Promise<T> => call() };

interface SymbolFunding {
  /** Settlements up to this funding time are handled (charged, appended, or taken over). */
  handledTo: Millis | undefined;
  /** Market time from which the next settlement is due. */
  due: Millis;
  interval: Millis;
  /** Market time of the first trade or bar of this run (undefined: none yet). */
  firstSeen: Millis | undefined;
  busy: boolean;
  retryMs: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * The exchange's settled funding for shadow mode's clearing. Once market time passes a
 * symbol's announced funding time (Binance: premiumIndex nextFundingTime), the settled rate
 * and the mark it was valued at are read (GET /fapi/v1/fundingRate) and appended to the
 * clearing's histories — a mark point and a funding point at the funding time — so the
 * simulated venue charges the paper position `−qty × mark × rate` exactly as the exchange
 * would, and checks liquidation there. A settlement not yet published is asked for again
 * (2 s, doubling to a minute).
 *
 * Across a restart: the last funding time charged is kept in SQLite (FundingStore, exchange
 * `shadow:<id>`). Settlements made while the engine was down are charged at start on the
 * restored position — which no fill could move meanwhile — before any strategy runs. A new
 * database charges nothing from before its first look.
 */
export class ShadowFunding {
  /** The clearing's histories, appended to as settlements are published. */
  readonly funding = new Map<string, FundingPoint[]>();
  readonly marks = new Map<string, MarkPoint[]>();
  private readonly state = new Map<string, SymbolFunding>();
  private stopped = false;
  private appended = 0;
  private lastError: string | undefined;

  constructor(private readonly opts: ShadowFundingOptions) {
    for (const inst of opts.instruments) {
      this.funding.set(inst.symbol, []);
      this.marks.set(inst.symbol, []);
      this.state.set(inst.symbol, {
        handledTo: opts.store.cursor(inst.symbol),
        // Unknown until the first look: the first market data asks.
        due: 0,
        interval: EIGHT_HOURS,
        firstSeen: undefined,
        busy: false,
        retryMs: opts.retryMs ?? 2_000,
        timer: undefined,
      });
    }
  }

  /** Before strategies run: settlements made while the engine was down, and the next funding time. */
  async start(): Promise<void> {
    for (const symbol of this.state.keys()) await this.poll(symbol, true);
  }

  /** Market time of `symbol` reached `ts` (a trade, or a bar's end), before the venue matches it. */
  observe(symbol: string, ts: Millis): void {
    const st = this.state.get(symbol);
    if (st === undefined) return;
    st.firstSeen ??= ts;
    if (ts >= st.due && !st.busy && st.timer === undefined) void this.poll(symbol, false);
  }

  /** The poller as a health component. */
  component(): ComponentHealth {
    return {
      name: 'funding',
      ready: this.lastError === undefined,
      detail: `shadow funding: ${this.appended} settlement(s) read since start${this.lastError === undefined ? '' : `; last look failed: ${this.lastError}`}`,
    };
  }

  stop(): void {
    this.stopped = true;
    for (const st of this.state.values()) if (st.timer !== undefined) clearTimeout(st.timer);
  }

  /** One look at `symbol`'s settled rates after what was handled; asks again later if the due one is missing. */
  private async poll(symbol: string, atStart: boolean): Promise<void> {
    const st = this.state.get(symbol);
    if (st === undefined || this.stopped) return;
    st.busy = true;
    try {
      const { exchange } = this.opts;
      const from = st.handledTo === undefined ? undefined : st.handledTo + 1;
      const rows = [...(await fetchSettledFundingRates(exchange, DIRECT, symbol, from)).values()].sort(
        (a, b) => a.ts - b.ts,
      );
      if (this.stopped) return;
      this.learnInterval(st, rows);
      const dueBefore = st.due;
      this.take(symbol, st, rows, atStart);
      const last = rows[rows.length - 1];
      if (dueBefore > 0 && (last === undefined || last.ts < dueBefore)) {
        // Due, but not published yet: ask again shortly.
        this.retry(symbol, st);
        return;
      }
      st.retryMs = this.opts.retryMs ?? 2_000;
      st.due = await this.nextDue(symbol, st);
      this.lastError = undefined;
    } catch (e) {
      this.lastError = e instanceof Error ? e.message : String(e);
      this.opts.log.warn(
        { symbol, err: this.lastError },
        'shadow funding: settled rates not readable; retrying',
      );
      this.retry(symbol, st);
    } finally {
      st.busy = false;
    }
  }

  /** Hands the new settlements on: to the clearing, or booked at once when the clearing cannot see them. */
  private take(
    symbol: string,
    st: SymbolFunding,
    rows: readonly SettledFundingRate[],
    atStart: boolean,
  ): void {
    const firstLook = st.handledTo === undefined;
    for (const r of rows) {
      if (st.handledTo !== undefined && r.ts <= st.handledTo) continue;
      if (firstLook && atStart) continue;
      // Nothing known of this symbol before this run: what settled before its first data is not ours.
      if (firstLook && (st.firstSeen === undefined || r.ts < st.firstSeen)) continue;
      this.appended++;
      if (st.firstSeen === undefined) this.bookNow(symbol, r);
      else {
        // The exchange valued positions at this mark (its decimal text reads back to the same
        // Fixed through the float): at equal times the clearing takes the mark first.
        if (r.markPrice > 0n)
          this.marks.get(symbol)?.push({ ts: r.ts, price: Number(formatFixed(r.markPrice)) });
        this.funding.get(symbol)?.push({ ts: r.ts, rate: r.rate });
      }
    }
    const newest = rows[rows.length - 1]?.ts;
    if (newest !== undefined && (st.handledTo === undefined || newest > st.handledTo)) st.handledTo = newest;
    // Settlements from before the first look at start are taken over: never charged. (Later,
    // the cursor moves as the clearing charges each one: one not charged yet is read again.)
    if (firstLook && atStart && st.handledTo !== undefined) this.opts.store.advance(symbol, st.handledTo);
  }

  /**
   * A settlement from before this run's first market data of the symbol (made while the
   * engine was down, or just at start): the position then was the restored one, as no fill
   * can happen without market data; the clearing, which starts at the first data, would skip it.
   */
  private bookNow(symbol: string, r: SettledFundingRate): void {
    const { node } = this.opts;
    const qty = node.portfolio.positionQty(symbol);
    const m = node.markPrice(symbol);
    const mark = r.markPrice > 0n ? r.markPrice : m === undefined ? ZERO : toFixed(m);
    this.opts.book({
      type: 'FundingSettled',
      symbol,
      ts: r.ts,
      rate: r.rate,
      markPrice: mark,
      positionQty: qty,
      amount: neg(mul(mul(qty, mark), r.rate)),
      currency: node.instrument(symbol).settle,
    });
  }

  private learnInterval(st: SymbolFunding, rows: readonly SettledFundingRate[]): void {
    const a = rows[rows.length - 2];
    const b = rows[rows.length - 1];
    if (a !== undefined && b !== undefined && b.ts > a.ts) st.interval = b.ts - a.ts;
  }

  /** The announced next funding time, else the last handled one plus the interval. */
  private async nextDue(symbol: string, st: SymbolFunding): Promise<Millis> {
    let announced: Millis | undefined;
    try {
      announced = await fetchNextFundingTime(this.opts.exchange, symbol);
    } catch (e) {
      this.opts.log.debug({ symbol, err: String(e) }, 'shadow funding: next funding time not readable');
    }
    const handled = st.handledTo ?? 0;
    if (announced !== undefined && announced > handled) return announced;
    return handled > 0 ? handled + st.interval : (st.firstSeen ?? 0) + st.interval;
  }

  private retry(symbol: string, st: SymbolFunding): void {
    if (this.stopped || st.timer !== undefined) return;
    const wait = st.retryMs;
    st.retryMs = Math.min(MAX_RETRY_MS, st.retryMs * 2);
    st.timer = setTimeout(() => {
      st.timer = undefined;
      void this.poll(symbol, false);
    }, wait);
  }
}
