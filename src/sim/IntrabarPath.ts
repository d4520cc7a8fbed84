import { ClassKeeper } from '../core/ClassKeeper.js';
import type { Bar } from '../model/Bar.js';
import { OrderSide } from '../model/enums.js';
import type { FillModelConfig } from './FillModel.js';

/**
 * Which way a price condition points. 'down': met when the price is at or below the level
 * (a buy limit, a sell stop, a buy take-profit); 'up': at or above (a sell limit, a buy
 * stop, a sell take-profit). Touching the level counts, as in most backtesters.
 */
export type Direction = 'up' | 'down';

/** Whether `price` meets a level condition. */
export function reaches(price: number, level: number, dir: Direction): boolean {
  return dir === 'down' ? price <= level : price >= level;
}

/**
 * The assumed price walk inside one bar: four points (open, first extreme, second extreme,
 * close) at path times 0, 1, 2, 3, joined by straight segments. A bar tells us only its
 * extremes, not their order, so every order is matched along such a walk and events of a
 * bar are ordered by their path time.
 */
export class IntrabarPath {
  constructor(
    private readonly p0: number,
    private readonly p1: number,
    private readonly p2: number,
    private readonly p3: number,
  ) {}

  /** Price at vertex 0..3. */
  point(i: number): number {
    return i <= 0 ? this.p0 : i === 1 ? this.p1 : i === 2 ? this.p2 : this.p3;
  }

  /** Price at path time t ∈ [0, 3] (linear between vertices). */
  priceAt(t: number): number {
    const s = Math.floor(t);
    if (s >= 3) return this.p3;
    const a = this.point(s);
    return a + (this.point(s + 1) - a) * (t - s);
  }

  /**
   * First path time after `t0` at which the walk reaches `level`, given that the price at
   * `t0` is `start` and does not reach it yet; undefined when the rest of the bar never does.
   */
  crossing(t0: number, start: number, level: number, dir: Direction): number | undefined {
    let from = t0;
    let a = start;
    for (let s = Math.floor(t0); s < 3; s++) {
      const b = this.point(s + 1);
      if (reaches(b, level, dir)) {
        const t = from + ((s + 1 - from) * (a - level)) / (a - b);
        return Math.min(s + 1, Math.max(from, t));
      }
      from = s + 1;
      a = b;
    }
    return undefined;
  }

  /** Highest (or lowest) price of the walk over [t0, t1], where the price at t0 is `start`. */
  extreme(t0: number, start: number, t1: number, highest: boolean): number {
    let m = start;
    const last = Math.min(3, Math.floor(t1));
    for (let i = Math.floor(t0) + 1; i <= last; i++) {
      const p = this.point(i);
      m = highest ? Math.max(m, p) : Math.min(m, p);
    }
    if (t1 > t0 && t1 < 3) {
      const p = this.priceAt(t1);
      m = highest ? Math.max(m, p) : Math.min(m, p);
    }
    return m;
  }
}

/** The last one-price paths made (they live one bar): keeps their class (see ClassKeeper). */
const LAST_PATHS = new ClassKeeper<BarPaths>();

/**
 * The walks of one bar for buy and sell orders. Under 'pessimistic' they differ: each side
 * meets its adverse extreme first (a seller's stop-loss below before his take-profit
 * above), so a bar that touches both legs of a bracket books the loss.
 */
export class BarPaths {
  private constructor(
    private readonly buy: IntrabarPath,
    private readonly sell: IntrabarPath,
  ) {}

  /** The walks of `bar` under the configured intrabar mode. */
  static ofBar(bar: Bar, mode: FillModelConfig['intrabar']): BarPaths {
    const highFirst = new IntrabarPath(bar.open, bar.high, bar.low, bar.close);
    const lowFirst = new IntrabarPath(bar.open, bar.low, bar.high, bar.close);
    switch (mode) {
      case 'ohlc':
        return new BarPaths(highFirst, highFirst);
      case 'adaptive': {
        // A bar that closed below its open more likely rose first and then fell.
        const p = bar.close < bar.open ? highFirst : lowFirst;
        return new BarPaths(p, p);
      }
      case 'pessimistic':
        return new BarPaths(highFirst, lowFirst);
    }
  }

  /** A single price (a trade print, or the close an order fills at on submit). */
  static constant(price: number): BarPaths {
    const p = new IntrabarPath(price, price, price, price);
    const paths = new BarPaths(p, p);
    LAST_PATHS.keep(paths);
    return paths;
  }

  /** The walk an order of this side follows. */
  forSide(side: OrderSide): IntrabarPath {
    return side === OrderSide.BUY ? this.buy : this.sell;
  }
}
