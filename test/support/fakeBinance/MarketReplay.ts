/**
 * One market of the fake: its tape, the replay cursor, and the questions REST and streams ask
 * about "now". The market's clock is its cursor: trades before it are history (REST sees
 * them), the rest is the future that step()/play() publishes. Klines and tickers are always
 * computed from the tape, so REST and WebSocket tell the same story.
 */
import type { BarSeries } from '../../../src/model/BarSeries.js';
import { decimalsOf, fmtUnits, stepString } from './decimal.js';
import { fixedIntervalMs, intervalEnd, intervalStart } from './klineIntervals.js';
import { SyntheticBook } from './SyntheticBook.js';
import { synthesizeTrades } from './synthesizeTrades.js';
import { TradeTape } from './TradeTape.js';
import type { RangeStats } from './TradeTape.js';
import type { FakeMarket } from './types.js';

/** A candle built from the tape. */
export interface Candle extends RangeStats {
  readonly openTime: number;
  /** Binance's closeTime: the last millisecond of the interval. */
  readonly closeTime: number;
}

/** A rolling-window ticker: stats of the trades in (now - window, now]. */
export interface WindowStats {
  readonly openTime: number;
  readonly closeTime: number;
  /** undefined when no trade fell in the window. */
  readonly stats: RangeStats | undefined;
  /** Price of the last trade before the window, undefined if none. */
  readonly prevClose: number | undefined;
  /** The last visible trade (undefined before the first one). */
  readonly lastIndex: number | undefined;
}

const DEFAULT_MIN_NOTIONAL = '0.00010000';

/** Index range of trades [from, to). */
type Range = readonly [number, number];

/** One replayed spot market. */
export class MarketReplay {
  /** Unified symbol, e.g. XRP/ETH. */
  readonly symbol: string;
  /** Binance id, e.g. XRPETH, and its stream form xrpeth. */
  readonly id: string;
  readonly streamId: string;
  readonly base: string;
  readonly quote: string;
  readonly tickSize: string;
  readonly lotSize: string;
  readonly minNotional: string;
  readonly tape: TradeTape;
  readonly book: SyntheticBook;
  private position: number;

  constructor(spec: FakeMarket, bookLevels: number) {
    const parts = /^([A-Z0-9]+)\/([A-Z0-9]+)$/.exec(spec.symbol);
    if (parts === null) throw new Error(`FakeBinance: symbol must look like BASE/QUOTE, got ${spec.symbol}`);
    this.symbol = spec.symbol;
    this.base = parts[1] as string;
    this.quote = parts[2] as string;
    this.id = this.base + this.quote;
    this.streamId = this.id.toLowerCase();
    const trades =
      spec.trades ?? (spec.candles1m === undefined ? undefined : synthesizeTrades(spec.candles1m));
    if (trades === undefined) throw new Error(`FakeBinance: market ${spec.symbol} needs trades or candles1m`);
    this.tape = new TradeTape(trades, spec.symbol);
    if (spec.trades !== undefined && spec.candles1m !== undefined) this.checkCandles(spec.candles1m);
    this.tickSize = checkedStep(spec.tickSize, this.tape.price, `${spec.symbol} tickSize`);
    this.lotSize = checkedStep(spec.lotSize, this.tape.amount, `${spec.symbol} lotSize`);
    this.minNotional = spec.minNotional ?? DEFAULT_MIN_NOTIONAL;
    this.book = new SyntheticBook(this.tape, this.tickSize, this.lotSize, bookLevels);
    this.position = spec.startTime === undefined ? 0 : this.tape.firstAtOrAfter(spec.startTime);
  }

  /** Index of the next trade to publish; trades before it are history. */
  get cursor(): number {
    return this.position;
  }

  /** Whether every trade has been published. */
  get exhausted(): boolean {
    return this.position >= this.tape.length;
  }

  /** The market's clock: time of the last published trade (just before the first one if none). */
  now(): number {
    const i = this.position - 1;
    return i >= 0 ? (this.tape.ts[i] as number) : (this.tape.ts[0] as number) - 1;
  }

  /** Publishes the next trade to history; returns its index, undefined when exhausted. */
  advance(): number | undefined {
    if (this.exhausted) return undefined;
    return this.position++;
  }

  /** The candle of `interval` that contains trade `index`, built from trades up to it. */
  candleUpTo(interval: string, index: number): { candle: Candle; closed: boolean } {
    const start = intervalStart(interval, this.tape.ts[index] as number);
    const end = intervalEnd(interval, start);
    const from = this.tape.firstAtOrAfter(start);
    const next = index + 1;
    // Closed once the tape shows a trade past the interval: the boundary came before it.
    const closed = next < this.tape.length && (this.tape.ts[next] as number) >= end;
    return { candle: this.candle(start, end, [from, next]), closed };
  }

  /**
   * Visible klines the way GET /api/v3/klines selects them: open time in
   * [startTime, endTime]; the first `limit` from startTime, else the last `limit` up to endTime
   * (or now). Intervals without trades have no kline.
   */
  klines(interval: string, limit: number, startTime?: number, endTime?: number): Candle[] {
    const visible = this.position;
    const out: Candle[] = [];
    if (visible === 0) return out;
    const stop =
      endTime === undefined
        ? visible
        : Math.min(
            visible,
            this.tape.firstAtOrAfter(intervalEnd(interval, intervalStart(interval, endTime))),
          );
    if (startTime !== undefined) {
      let first = intervalStart(interval, startTime);
      if (first < startTime) first = intervalEnd(interval, first);
      let i = this.tape.firstAtOrAfter(first);
      while (i < stop && out.length < limit) {
        const start = intervalStart(interval, this.tape.ts[i] as number);
        const end = intervalEnd(interval, start);
        const j = Math.min(stop, this.tape.firstAtOrAfter(end));
        out.push(this.candle(start, end, [i, j]));
        i = j;
      }
      return out;
    }
    let j = stop;
    while (j > 0 && out.length < limit) {
      const start = intervalStart(interval, this.tape.ts[j - 1] as number);
      const i = this.tape.firstAtOrAfter(start);
      out.push(this.candle(start, intervalEnd(interval, start), [i, j]));
      j = i;
    }
    return out.reverse();
  }

  /** The rolling ticker over `windowMs` ending now (or after trade `index` when given). */
  window(windowMs: number, index?: number): WindowStats {
    const to = index === undefined ? this.position : index + 1;
    const closeTime = to > 0 ? (this.tape.ts[to - 1] as number) : this.now();
    const openTime = closeTime - windowMs;
    const from = this.tape.firstAfter(openTime);
    return {
      openTime,
      closeTime,
      stats: from < to ? this.tape.stats(from, to) : undefined,
      prevClose: from > 0 && from <= to ? this.tape.price[from - 1] : undefined,
      lastIndex: to > 0 ? to - 1 : undefined,
    };
  }

  private candle(openTime: number, end: number, [from, to]: Range): Candle {
    return { ...this.tape.stats(from, to), openTime, closeTime: end - 1 };
  }

  /** With both trades and candles given, they must describe the same market. */
  private checkCandles(series: BarSeries): void {
    const interval = series.timeframe;
    if (fixedIntervalMs(interval) === undefined) {
      throw new Error(`FakeBinance: ${this.symbol} candles1m has unsupported timeframe ${interval}`);
    }
    const first = this.tape.ts[0] as number;
    const last = this.tape.ts[this.tape.length - 1] as number;
    for (let k = 0; k < series.length; k++) {
      const t = series.ts[k] as number;
      if (t < intervalStart(interval, first) || t > last) continue;
      const from = this.tape.firstAtOrAfter(t);
      const to = this.tape.firstAtOrAfter(intervalEnd(interval, t));
      const file = [series.open[k], series.high[k], series.low[k], series.close[k]] as number[];
      const fileVolume = fmtUnits(BigInt(Math.round((series.volume[k] as number) * 1e8)));
      const s = from < to ? this.tape.stats(from, to) : undefined;
      const same =
        s !== undefined &&
        [s.open, s.high, s.low, s.close].every((v, n) => v === file[n]) &&
        fmtUnits(s.baseUnits) === fileVolume;
      if (!same) {
        throw new Error(
          `FakeBinance: ${this.symbol} candle ${new Date(t).toISOString()} of candles1m disagrees with the trades`,
        );
      }
    }
  }
}

/** A given tick/lot size (checked), or the finest decimal the data uses, at most 8. */
function checkedStep(given: string | undefined, values: Float64Array, what: string): string {
  if (given !== undefined) {
    const n = Number(given);
    if (!(n > 0) || decimalsOf(n) > 8)
      throw new Error(`FakeBinance: ${what} must be > 0 with at most 8 decimals`);
    return given;
  }
  let decimals = 0;
  for (let i = 0; i < values.length && decimals < 8; i++)
    decimals = Math.max(decimals, decimalsOf(values[i] as number));
  return stepString(Math.min(decimals, 8));
}
