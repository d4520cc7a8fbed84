import { ExactSum } from '../core/ExactSum.js';
import { QtsError } from '../core/QtsError.js';
import { RecentMap } from '../core/RecentMap.js';
import type { Millis } from '../core/time.js';
import { timeframeToMs } from '../core/time.js';
import type { Bar, Trade } from '../model/Bar.js';
import { bucketStart } from './bucketStart.js';
import { DataErrorCode } from './DataErrorCode.js';

/** What became of one trade given to `TradeBarBuilder.add`. */
export interface TradeBarResult {
  /**
   * `applied`: folded into the forming bar. `duplicate`: its id was seen already; ignored.
   * `late`: it belongs to a bar already closed (or skipped); counted, not applied.
   */
  readonly status: 'applied' | 'duplicate' | 'late';
  /** The bar this trade closed (it opened a later bucket), if any. */
  readonly closed: Bar | undefined;
}

/** Counters of a TradeBarBuilder, for health reports and gap diagnosis. */
export interface TradeBarStats {
  readonly applied: number;
  readonly duplicates: number;
  readonly late: number;
  /** Base volume of the late trades: how much the closed bars are missing. */
  readonly lateVolume: number;
  readonly closedBars: number;
}

/** Options of a TradeBarBuilder. */
export interface TradeBarBuilderOptions {
  /** How many recent trade ids are remembered to recognise duplicates (default 20 000). */
  readonly rememberIds?: number;
}

/**
 * Builds OHLCV bars of one symbol and timeframe from its public trades, the way exchanges
 * build their candles: buckets aligned to the epoch (weeks to Monday, see `bucketStart`),
 * open = first trade, close = last, volume = sum of amounts.
 *
 * - One bar forms at a time. `current()` shows it (`closed: false`); it closes exactly once,
 *   when a trade of a later bucket arrives (`add` returns it) or when `closeUpTo(ts)` is
 *   called with `ts` at or past the bucket's end (a timer does that so a quiet period still
 *   closes its bar).
 * - A bucket without trades produces no bar (not a flat one): that is what the exchange's
 *   own 1m history holds for quiet minutes (XRP/ETH on Binance), and what the BarAggregator
 *   and the backtest already treat as a gap.
 * - Within the forming bucket, arrival order does not matter: open and close are the
 *   trades first and last by (time, id), high/low are extremes and the volume is summed
 *   exactly (ExactSum), so any order of the same trades gives the same bar, bit for bit.
 * - A trade id seen before is ignored (`duplicate`). A trade of a bucket already closed is
 *   `late`: counted in `stats()`, never applied, because a closed bar was already delivered
 *   once and bars never change after that. Feeds that can recover missed trades hold
 *   bars back until the trades are in order (see CcxtMarketDataFeed), so late trades are rare.
 */
export class TradeBarBuilder {
  /** Bucket length in ms. */
  readonly timeframeMs: number;
  private readonly seen: RecentMap<string, true>;
  private bucket = NaN;
  private open = 0;
  private openTs = 0;
  private openId = '';
  private close = 0;
  private closeTs = 0;
  private closeId = '';
  private high = 0;
  private low = 0;
  private readonly volume = new ExactSum();
  private lastClosedBucket = -Infinity;
  private applied = 0;
  private duplicates = 0;
  private late = 0;
  private readonly lateVolume = new ExactSum();
  private closedBars = 0;

  /** Throws when `timeframe` is not a valid timeframe ("1m", "5m", "1h", …). */
  constructor(
    readonly symbol: string,
    readonly timeframe: string,
    options: TradeBarBuilderOptions = {},
  ) {
    try {
      this.timeframeMs = timeframeToMs(timeframe);
    } catch (e) {
      throw new QtsError(DataErrorCode.Timeframe, (e as Error).message, { timeframe });
    }
    this.seen = new RecentMap(options.rememberIds ?? 20_000);
  }

  /** Folds one trade in; returns what became of it and the bar it closed, if any. */
  add(trade: Trade): TradeBarResult {
    this.check(trade);
    if (this.seen.has(trade.id)) {
      this.duplicates++;
      return { status: 'duplicate', closed: undefined };
    }
    const b = bucketStart(trade.ts, this.timeframeMs);
    if (b <= this.lastClosedBucket || b < this.bucket) {
      this.late++;
      this.lateVolume.add(trade.amount);
      this.seen.set(trade.id, true);
      return { status: 'late', closed: undefined };
    }
    let closed: Bar | undefined;
    if (b > this.bucket) closed = this.finish();
    this.seen.set(trade.id, true);
    this.applied++;
    if (Number.isNaN(this.bucket)) {
      this.bucket = b;
      this.open = this.close = this.high = this.low = trade.price;
      this.openTs = this.closeTs = trade.ts;
      this.openId = this.closeId = trade.id;
      this.volume.reset();
      this.volume.add(trade.amount);
      return { status: 'applied', closed };
    }
    if (trade.price > this.high) this.high = trade.price;
    if (trade.price < this.low) this.low = trade.price;
    this.volume.add(trade.amount);
    if (before(trade.ts, trade.id, this.openTs, this.openId)) {
      this.open = trade.price;
      this.openTs = trade.ts;
      this.openId = trade.id;
    }
    if (!before(trade.ts, trade.id, this.closeTs, this.closeId)) {
      this.close = trade.price;
      this.closeTs = trade.ts;
      this.closeId = trade.id;
    }
    return { status: 'applied', closed };
  }

  /**
   * Closes the forming bar if its bucket ends at or before `ts` (exchange time), and
   * returns it. Later trades of that bucket will be `late`.
   */
  closeUpTo(ts: Millis): Bar | undefined {
    if (Number.isNaN(this.bucket) || this.bucket + this.timeframeMs > ts) return undefined;
    return this.finish();
  }

  /** The bar still forming (closed: false), or undefined when no trade is pending. */
  current(): Bar | undefined {
    return Number.isNaN(this.bucket) ? undefined : this.build(false);
  }

  /** Open time of the last bar closed, or -Infinity before the first. */
  lastClosedTs(): number {
    return this.lastClosedBucket;
  }

  stats(): TradeBarStats {
    return {
      applied: this.applied,
      duplicates: this.duplicates,
      late: this.late,
      lateVolume: this.lateVolume.value(),
      closedBars: this.closedBars,
    };
  }

  private check(trade: Trade): void {
    if (trade.symbol !== this.symbol) {
      throw new QtsError(
        DataErrorCode.Mismatch,
        `TradeBarBuilder for ${this.symbol} got a ${trade.symbol} trade`,
        { symbol: this.symbol, got: trade.symbol },
      );
    }
    if (
      !Number.isFinite(trade.ts) ||
      !Number.isFinite(trade.price) ||
      !Number.isFinite(trade.amount) ||
      trade.amount < 0
    ) {
      throw new QtsError(DataErrorCode.Parse, `${this.symbol} trade ${trade.id} has a non-finite field`, {
        symbol: this.symbol,
        id: trade.id,
      });
    }
  }

  private finish(): Bar | undefined {
    if (Number.isNaN(this.bucket)) return undefined;
    const bar = this.build(true);
    this.lastClosedBucket = this.bucket;
    this.bucket = NaN;
    this.closedBars++;
    return bar;
  }

  private build(closed: boolean): Bar {
    return {
      symbol: this.symbol,
      timeframe: this.timeframe,
      ts: this.bucket,
      open: this.open,
      high: this.high,
      low: this.low,
      close: this.close,
      volume: this.volume.value(),
      closed,
    };
  }
}

/**
 * Venue order of two trades: by time, then by id. Numeric ids (Binance's are consecutive
 * integers per symbol) compare as numbers without parsing: a shorter digit string is smaller.
 */
function before(ts: number, id: string, otherTs: number, otherId: string): boolean {
  if (ts !== otherTs) return ts < otherTs;
  return compareTradeIds(id, otherId) < 0;
}

/** Orders trade ids: numerically when both are digit strings, else as text. */
export function compareTradeIds(a: string, b: string): number {
  if (isDigits(a) && isDigits(b)) {
    const x = stripZeros(a);
    const y = stripZeros(b);
    if (x.length !== y.length) return x.length - y.length;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function isDigits(s: string): boolean {
  return /^\d+$/.test(s);
}

function stripZeros(s: string): string {
  const t = s.replace(/^0+/, '');
  return t === '' ? '0' : t;
}
