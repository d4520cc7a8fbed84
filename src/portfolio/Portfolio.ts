import type { Fixed, Numeric } from '../core/Fixed.js';
import { ZERO, fromNumber, toNumber } from '../core/Fixed.js';
import { QtsError } from '../core/QtsError.js';
import type { OrderFilled } from '../model/events.js';
import type { Instrument } from '../model/Instrument.js';
import { Ledger } from './Ledger.js';

interface FloatPosition {
  symbol: string;
  perpetual: boolean;
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
  private readonly prices = new Map<string, number>();
  private readonly floats = new Map<string, FloatPosition>();
  private held: FloatPosition[] = [];
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
      f = { symbol: fill.symbol, perpetual: inst.kind !== 'SPOT', qty: 0, cost: 0 };
      this.floats.set(fill.symbol, f);
    }
    f.qty = toNumber(pos.qty);
    f.cost = toNumber(pos.costBasis);
    this.held = [...this.floats.values()].filter((p) => p.qty !== 0);
    this.cashFloat = toNumber(this.ledger.balance(this.currency));
    if (!this.prices.has(fill.symbol)) this.prices.set(fill.symbol, toNumber(fill.lastPx));
  }

  updatePrice(symbol: string, price: number): void {
    this.prices.set(symbol, price);
  }

  lastPrice(symbol: string): number | undefined {
    return this.prices.get(symbol);
  }

  /** Equity at last prices, as a float: for curves, statistics and sizing. */
  equity(): number {
    let eq = this.cashFloat;
    const held = this.held;
    for (let i = 0; i < held.length; i++) {
      const p = held[i] as FloatPosition;
      const mark = this.prices.get(p.symbol) ?? 0;
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
        const p = this.prices.get(s);
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
}
