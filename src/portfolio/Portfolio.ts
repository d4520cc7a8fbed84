import type { Fixed, Numeric } from '../core/Fixed.js';
import { ZERO, fromNumber, toNumber } from '../core/Fixed.js';
import { QtsError } from '../core/QtsError.js';
import type { OrderFilled } from '../model/events.js';
import type { Instrument } from '../model/Instrument.js';
import { Ledger } from './Ledger.js';

/**
 * The last price of one symbol. A mutable slot rather than a Map entry: the price changes on
 * every bar, and a slot's number field is overwritten in place where a Map value would be a
 * new boxed number each time. `known` is false until the first price arrives.
 */
interface Mark {
  price: number;
  known: boolean;
}

interface FloatPosition {
  readonly symbol: string;
  readonly perpetual: boolean;
  readonly mark: Mark;
  qty: number;
  cost: number;
}

/**
 * The account of one engine: the exact Ledger plus last prices. Per-bar equity (for the
 * equity curve and sizing) is computed from float shadows of the ledger that are refreshed
 * on each fill, so marking to market costs a few multiplications, not bigint work; the
 * exact figure is always available from `equityExact`.
 */
export class Portfolio {
  readonly ledger: Ledger;
  private readonly marks = new Map<string, Mark>();
  private lastMarkSymbol: string | undefined;
  private lastMark: Mark = { price: Number.NaN, known: false };
  private readonly floats = new Map<string, FloatPosition>();
  /** Float shadows of the open positions, in the order their symbols were first filled. */
  private readonly held: FloatPosition[] = [];
  private cashFloat: number;

  constructor(
    readonly currency: string,
    initialCash: Readonly<Record<string, Numeric>>,
    private readonly instrument: (symbol: string) => Instrument,
  ) {
    this.ledger = new Ledger(initialCash);
    this.cashFloat = toNumber(this.ledger.balance(currency));
  }

  /** Books a fill into the ledger and refreshes the float shadows. */
  applyFill(fill: OrderFilled): void {
    const inst = this.instrument(fill.symbol);
    if (inst.settle !== this.currency) {
      throw new QtsError(
        'ERR_MULTI_CURRENCY',
        `${fill.symbol} settles in ${inst.settle}; this account is in ${this.currency}`,
      );
    }
    this.ledger.applyFill(inst, {
      side: fill.side,
      qty: fill.lastQty,
      px: fill.lastPx,
      fee: fill.fee,
      feeCurrency: fill.feeCurrency,
    });
    const pos = this.ledger.position(fill.symbol);
    let f = this.floats.get(fill.symbol);
    if (!f) {
      f = {
        symbol: fill.symbol,
        perpetual: inst.kind !== 'SPOT',
        mark: this.markOf(fill.symbol),
        qty: 0,
        cost: 0,
      };
      this.floats.set(fill.symbol, f);
    }
    f.qty = toNumber(pos.qty);
    f.cost = toNumber(pos.costBasis);
    // Rebuilt in place, always in the same order, so equity() sums the same way every run.
    this.held.length = 0;
    for (const p of this.floats.values()) if (p.qty !== 0) this.held.push(p);
    this.cashFloat = toNumber(this.ledger.balance(this.currency));
    if (!f.mark.known) this.setMark(f.mark, toNumber(fill.lastPx));
  }

  updatePrice(symbol: string, price: number): void {
    this.setMark(this.markOf(symbol), price);
  }

  lastPrice(symbol: string): number | undefined {
    const m = this.marks.get(symbol);
    return m !== undefined && m.known ? m.price : undefined;
  }

  /** Equity at last prices, as a float: for curves, statistics and sizing. */
  equity(): number {
    let eq = this.cashFloat;
    const held = this.held;
    for (let i = 0; i < held.length; i++) {
      const p = held[i] as FloatPosition;
      const mark = p.mark.known ? p.mark.price : 0;
      eq += p.perpetual ? p.qty * mark - p.cost : p.qty * mark;
    }
    return eq;
  }

  /** Whether any position is open (for exposure statistics). */
  hasExposure(): boolean {
    return this.held.length > 0;
  }

  /** Exact equity at last prices (each mark converted through its shortest decimal). */
  equityExact(): Fixed {
    return this.ledger.equity(
      this.currency,
      (s) => {
        const p = this.lastPrice(s);
        return p === undefined ? ZERO : fromNumber(p);
      },
      this.instrument,
    );
  }

  cash(currency: string = this.currency): Fixed {
    return this.ledger.balance(currency);
  }

  positionQty(symbol: string): Fixed {
    return this.ledger.position(symbol).qty;
  }

  /** FundsView for the venue: the balance it may still spend. */
  available(currency: string): Fixed {
    return this.ledger.balance(currency);
  }

  private markOf(symbol: string): Mark {
    // Bars come in runs of one symbol (a single-symbol backtest: always): the last slot
    // found saves a map lookup per bar.
    if (symbol === this.lastMarkSymbol) return this.lastMark;
    let m = this.marks.get(symbol);
    if (m === undefined) {
      m = { price: Number.NaN, known: false };
      this.marks.set(symbol, m);
    }
    this.lastMarkSymbol = symbol;
    this.lastMark = m;
    return m;
  }

  private setMark(m: Mark, price: number): void {
    m.price = price;
    m.known = true;
  }
}
