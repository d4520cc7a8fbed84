import type { Bar } from './Bar.js';

/**
 * Columnar candles of one symbol and timeframe: the hot representation for history and
 * backtests (six Float64Arrays, no per-bar objects kept alive). `ts` holds open times in
 * epoch milliseconds, strictly increasing.
 */
export interface BarSeries {
  readonly symbol: string;
  readonly timeframe: string;
  readonly length: number;
  readonly ts: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/** Allocates an empty series of `length` bars. */
export function allocBarSeries(symbol: string, timeframe: string, length: number): BarSeries {
  return {
    symbol,
    timeframe,
    length,
    ts: new Float64Array(length),
    open: new Float64Array(length),
    high: new Float64Array(length),
    low: new Float64Array(length),
    close: new Float64Array(length),
    volume: new Float64Array(length),
  };
}

/** A series holding `bars` (in the order given) as `symbol` on `timeframe`. */
export function seriesOfBars(symbol: string, timeframe: string, bars: readonly Bar[]): BarSeries {
  const s = allocBarSeries(symbol, timeframe, bars.length);
  bars.forEach((b, i) => {
    s.ts[i] = b.ts;
    s.open[i] = b.open;
    s.high[i] = b.high;
    s.low[i] = b.low;
    s.close[i] = b.close;
    s.volume[i] = b.volume;
  });
  return s;
}

/** Bar i of a series as a message (closed). */
export function barAt(s: BarSeries, i: number): Bar {
  return {
    symbol: s.symbol,
    timeframe: s.timeframe,
    ts: s.ts[i] as number,
    open: s.open[i] as number,
    high: s.high[i] as number,
    low: s.low[i] as number,
    close: s.close[i] as number,
    volume: s.volume[i] as number,
    closed: true,
  };
}

/**
 * Bar i of a series as a message that reads through to the series' arrays: one small
 * object per bar where a copy carries nine fields and six boxed doubles (≈ 190 bytes, the
 * largest per-bar allocation of a backtest). A series is not written after it is built, so
 * the bar never changes and a strategy may keep it. JSON and the console see the plain
 * fields; code that needs own properties (a spread, a structured clone) takes `barAt`.
 */
export function seriesBarAt(s: BarSeries, i: number): Bar {
  return new SeriesBar(s, i);
}

class SeriesBar implements Bar {
  constructor(
    private readonly series: BarSeries,
    private readonly index: number,
  ) {}

  get symbol(): string {
    return this.series.symbol;
  }
  get timeframe(): string {
    return this.series.timeframe;
  }
  get ts(): number {
    return this.series.ts[this.index] as number;
  }
  get open(): number {
    return this.series.open[this.index] as number;
  }
  get high(): number {
    return this.series.high[this.index] as number;
  }
  get low(): number {
    return this.series.low[this.index] as number;
  }
  get close(): number {
    return this.series.close[this.index] as number;
  }
  get volume(): number {
    return this.series.volume[this.index] as number;
  }
  get closed(): boolean {
    return true;
  }

  toJSON(): Bar {
    return barAt(this.series, this.index);
  }

  /** What console.log and util.inspect show: the bar, not the whole series behind it. */
  [Symbol.for('nodejs.util.inspect.custom')](): Bar {
    return barAt(this.series, this.index);
  }
}

/**
 * The first pair of series that share a symbol, as [earlier, later] indexes; undefined when
 * every symbol is once. A run takes one series per symbol: two would both drive its instrument.
 */
export function repeatedSymbol(series: readonly { readonly symbol: string }[]): [number, number] | undefined {
  const seen = new Map<string, number>();
  for (let i = 0; i < series.length; i++) {
    const symbol = (series[i] as { readonly symbol: string }).symbol;
    const first = seen.get(symbol);
    if (first !== undefined) return [first, i];
    seen.set(symbol, i);
  }
  return undefined;
}
