/**
 * The trades of one market, columnar and indexed so that every question the fake answers
 * (a candle, a 24h ticker, a page of trades) is a range query: O(log n) whatever the range.
 * Volumes are prefix sums in integer units of 1e-8, so any range sums exactly.
 */
import { toUnits } from './decimal.js';
import type { FakeTrade } from './types.js';

/** What a range of trades adds up to (a candle, a ticker window). */
export interface RangeStats {
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  /** Base volume, quote volume, and their taker-buy parts, in units of 1e-8. */
  readonly baseUnits: bigint;
  readonly quoteUnits: bigint;
  readonly buyBaseUnits: bigint;
  readonly buyQuoteUnits: bigint;
  readonly count: number;
  readonly firstId: number;
  readonly lastId: number;
}

/** Max/min over index ranges: an iterative segment tree (2n numbers each). */
class RangeExtremes {
  private readonly hi: Float64Array;
  private readonly lo: Float64Array;

  constructor(private readonly values: Float64Array) {
    const n = values.length;
    this.hi = new Float64Array(2 * n);
    this.lo = new Float64Array(2 * n);
    this.hi.set(values, n);
    this.lo.set(values, n);
    for (let i = n - 1; i >= 1; i--) {
      this.hi[i] = Math.max(this.hi[2 * i] as number, this.hi[2 * i + 1] as number);
      this.lo[i] = Math.min(this.lo[2 * i] as number, this.lo[2 * i + 1] as number);
    }
  }

  /** [max, min] of values[from..to). */
  query(from: number, to: number): [number, number] {
    let hi = -Infinity;
    let lo = Infinity;
    let l = from + this.values.length;
    let r = to + this.values.length;
    while (l < r) {
      if (l & 1) {
        hi = Math.max(hi, this.hi[l] as number);
        lo = Math.min(lo, this.lo[l] as number);
        l++;
      }
      if (r & 1) {
        r--;
        hi = Math.max(hi, this.hi[r] as number);
        lo = Math.min(lo, this.lo[r] as number);
      }
      l >>= 1;
      r >>= 1;
    }
    return [hi, lo];
  }
}

/** An immutable, validated tape of trades. */
export class TradeTape {
  readonly length: number;
  readonly ts: Float64Array;
  readonly id: Float64Array;
  readonly price: Float64Array;
  readonly amount: Float64Array;
  /** 1 where the taker bought. */
  readonly buy: Uint8Array;
  private readonly base: BigInt64Array;
  private readonly quote: BigInt64Array;
  private readonly buyBase: BigInt64Array;
  private readonly buyQuote: BigInt64Array;
  private readonly extremes: RangeExtremes;

  constructor(trades: readonly FakeTrade[], symbol: string) {
    const n = trades.length;
    if (n === 0) throw new Error(`FakeBinance: market ${symbol} has no trades`);
    this.length = n;
    this.ts = new Float64Array(n);
    this.id = new Float64Array(n);
    this.price = new Float64Array(n);
    this.amount = new Float64Array(n);
    this.buy = new Uint8Array(n);
    this.base = new BigInt64Array(n + 1);
    this.quote = new BigInt64Array(n + 1);
    this.buyBase = new BigInt64Array(n + 1);
    this.buyQuote = new BigInt64Array(n + 1);
    for (let i = 0; i < n; i++) {
      const t = trades[i] as FakeTrade;
      const where = `FakeBinance: ${symbol} trade #${i} (id ${t.id})`;
      if (!Number.isSafeInteger(t.id) || (i > 0 && t.id <= (this.id[i - 1] as number))) {
        throw new Error(`${where}: ids must be integers, strictly increasing`);
      }
      if (!Number.isFinite(t.ts) || (i > 0 && t.ts < (this.ts[i - 1] as number))) {
        throw new Error(`${where}: times must be non-decreasing`);
      }
      if (!(t.price > 0) || !Number.isFinite(t.price)) throw new Error(`${where}: price must be > 0`);
      if (!(t.amount >= 0) || !Number.isFinite(t.amount)) throw new Error(`${where}: amount must be >= 0`);
      if (t.side !== 'buy' && t.side !== 'sell') throw new Error(`${where}: side must be buy or sell`);
      this.ts[i] = t.ts;
      this.id[i] = t.id;
      this.price[i] = t.price;
      this.amount[i] = t.amount;
      const isBuy = t.side === 'buy';
      this.buy[i] = isBuy ? 1 : 0;
      const b = toUnits(t.amount);
      const q = toUnits(t.price * t.amount);
      this.base[i + 1] = (this.base[i] as bigint) + b;
      this.quote[i + 1] = (this.quote[i] as bigint) + q;
      this.buyBase[i + 1] = (this.buyBase[i] as bigint) + (isBuy ? b : 0n);
      this.buyQuote[i + 1] = (this.buyQuote[i] as bigint) + (isBuy ? q : 0n);
    }
    this.extremes = new RangeExtremes(this.price);
  }

  /** Trade i as handed in. */
  trade(i: number): FakeTrade {
    return {
      id: this.id[i] as number,
      ts: this.ts[i] as number,
      price: this.price[i] as number,
      amount: this.amount[i] as number,
      side: this.buy[i] === 1 ? 'buy' : 'sell',
    };
  }

  /** Index of the first trade at or after time t (length if none). */
  firstAtOrAfter(t: number): number {
    return lowerBound(this.ts, t, false);
  }

  /** Index of the first trade after time t (length if none). */
  firstAfter(t: number): number {
    return lowerBound(this.ts, t, true);
  }

  /** Index of the first trade whose id is at least `id` (length if none). */
  firstIdAtOrAfter(id: number): number {
    return lowerBound(this.id, id, false);
  }

  /** Totals of trades [from, to); requires from < to. */
  stats(from: number, to: number): RangeStats {
    if (!(from >= 0 && from < to && to <= this.length)) throw new Error(`bad trade range [${from}, ${to})`);
    const [high, low] = this.extremes.query(from, to);
    return {
      open: this.price[from] as number,
      high,
      low,
      close: this.price[to - 1] as number,
      baseUnits: (this.base[to] as bigint) - (this.base[from] as bigint),
      quoteUnits: (this.quote[to] as bigint) - (this.quote[from] as bigint),
      buyBaseUnits: (this.buyBase[to] as bigint) - (this.buyBase[from] as bigint),
      buyQuoteUnits: (this.buyQuote[to] as bigint) - (this.buyQuote[from] as bigint),
      count: to - from,
      firstId: this.id[from] as number,
      lastId: this.id[to - 1] as number,
    };
  }
}

/** First index whose value is >= x (or > x when `strict`), in a non-decreasing array. */
function lowerBound(a: Float64Array, x: number, strict: boolean): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = a[mid] as number;
    if (v < x || (strict && v === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
