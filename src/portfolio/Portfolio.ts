import { MarginMode } from '../model/MarginMode.js';
import type { Fixed, Numeric } from '../core/Fixed.js';
import { ZERO, div, fromNumber, neg, toNumber } from '../core/Fixed.js';
import { QtsError } from '../core/QtsError.js';
import { truncate } from '../core/truncate.js';
import type { OrderFilled } from '../model/events.js';
import type { FundingSettled, PositionLiquidated } from '../model/futuresEvents.js';
import type { Instrument } from '../model/Instrument.js';
import type { PositionState } from './Ledger.js';
import { Ledger } from './Ledger.js';
import type { MarginSettings, RestoredPosition } from './MarginAccount.js';
import { MarginAccount } from './MarginAccount.js';

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
  /**
   * Perpetuals: the mark price each position is valued at. It follows the last price until
   * the venue publishes a mark (updateMarkPrice), then only the venue's marks move it.
   */
  private readonly markPx = new Map<string, Mark & { published: boolean }>();
  /** Leverage, margin mode and isolated margins of the perpetual positions. */
  readonly margin: MarginAccount;

  constructor(
    readonly currency: string,
    initialCash: Readonly<Record<string, Numeric>>,
    private readonly instrument: (symbol: string) => Instrument,
    marginDefaults?: MarginSettings,
  ) {
    this.ledger = new Ledger(initialCash);
    this.cashFloat = toNumber(this.ledger.balance(currency));
    this.margin = new MarginAccount(
      this.ledger,
      instrument,
      (s) => {
        const m = this.markPrice(s);
        return m === undefined ? undefined : fromNumber(m);
      },
      marginDefaults,
    );
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
    const before = inst.kind === 'SPOT' ? undefined : this.ledger.position(fill.symbol);
    this.ledger.applyFill(inst, {
      side: fill.side,
      qty: fill.lastQty,
      px: fill.lastPx,
      fee: fill.fee,
      feeCurrency: fill.feeCurrency,
    });
    if (before !== undefined) this.margin.onFill(inst, before, fill.side, fill.lastQty, fill.lastPx);
    this.refreshShadows(inst, fill.lastPx);
  }

  /**
   * Puts back the positions of a saved snapshot (restart) and values each at its average
   * entry price until the market prices it. Restoring into the ledger alone left them out of
   * equity (the float shadows are refreshed by bookings), so a restarted engine counted only
   * its cash and the daily-loss breaker tripped at once. A perpetual comes back under the margin
   * mode and leverage it was saved with (`marginOf`) and its isolated margin (`isolatedMarginOf`;
   * a snapshot written before it was saved takes it at entry, see MarginAccount.restore).
   */
  restorePositions(positions: readonly RestoredPosition[]): void {
    this.ledger.restorePositions(positions);
    this.margin.restore(positions.filter((p) => p.qty !== ZERO && this.instrument(p.symbol).kind !== 'SPOT'));
    for (const p of positions) {
      if (p.qty === ZERO) continue;
      const qty = p.qty < ZERO ? neg(p.qty) : p.qty;
      const cost = p.costBasis < ZERO ? neg(p.costBasis) : p.costBasis;
      this.refreshShadows(this.instrument(p.symbol), div(cost, qty));
    }
    this.refreshCash();
  }

  /** The ledger's balances: with `allPositions` and `marginOf`, what a snapshot saves (LedgerStore). */
  balances(): ReadonlyMap<string, Fixed> {
    return this.ledger.balances();
  }

  /** The ledger's positions, open and flat (see `balances`). */
  allPositions(): readonly PositionState[] {
    return this.ledger.allPositions();
  }

  /** The margin settings a perpetual is booked under, saved with its position; undefined for spot. */
  marginOf(symbol: string): MarginSettings | undefined {
    return this.instrument(symbol).kind === 'SPOT' ? undefined : this.margin.settings(symbol);
  }

  /** The margin behind an isolated perpetual position (see `marginOf`); undefined otherwise. */
  isolatedMarginOf(symbol: string): Fixed | undefined {
    const s = this.marginOf(symbol);
    if (s === undefined || s.mode !== MarginMode.ISOLATED || this.ledger.position(symbol).qty === ZERO)
      return undefined;
    return this.margin.isolatedMargin(symbol);
  }

  /** Moves cash by `amount` outside any trade (reconciliation: the exchange's balance wins). */
  adjustCash(currency: string, amount: Fixed): void {
    this.ledger.adjustCash(currency, amount);
    this.refreshCash();
  }

  /** Books a funding settlement (perpetuals): the wallet, the funding line, an isolated position's margin. */
  applyFunding(event: FundingSettled): void {
    if (event.amount === ZERO) return;
    this.margin.onFunding(event.symbol, event.amount);
    this.ledger.applyFunding(event.currency, event.amount);
    this.refreshCash();
  }

  /**
   * Books a liquidation: the position closes at the event's price with the clearance fee,
   * the insurance fund's cover is credited, and no margin stays behind the position.
   */
  applyLiquidation(event: PositionLiquidated): void {
    const inst = this.instrument(event.symbol);
    if (event.trades === undefined) {
      const qty = event.positionQty < 0n ? neg(event.positionQty) : event.positionQty;
      this.ledger.applyFill(inst, {
        side: event.side,
        qty,
        px: event.price,
        fee: event.fee,
        feeCurrency: event.currency,
      });
    } else {
      // The exchange's own trades, each at its price with its fee: the wallet to the unit. A
      // liquidation (or an auto-deleveraging) that left part of the position keeps its margin.
      for (const t of event.trades) {
        const before = this.ledger.position(event.symbol);
        const fill = { side: event.side, qty: t.qty, px: t.price, fee: t.fee, feeCurrency: t.feeCurrency };
        this.ledger.applyFill(inst, fill);
        this.margin.onFill(inst, before, event.side, t.qty, t.price);
      }
    }
    if (event.insuranceCovered > 0n) this.ledger.applyInsurance(event.currency, event.insuranceCovered);
    if (this.ledger.position(event.symbol).qty === ZERO) this.margin.onClosed(event.symbol);
    this.refreshShadows(inst, event.price);
  }

  /** Refreshes the float shadows of one symbol's position and of cash after a booking. */
  private refreshShadows(inst: Instrument, lastPx: Fixed): void {
    const symbol = inst.symbol;
    const pos = this.ledger.position(symbol);
    let f = this.floats.get(symbol);
    if (!f) {
      const perpetual = inst.kind !== 'SPOT';
      f = {
        symbol,
        perpetual,
        mark: perpetual ? this.valuationOf(symbol) : this.markOf(symbol),
        qty: 0,
        cost: 0,
      };
      this.floats.set(symbol, f);
    }
    f.qty = toNumber(pos.qty);
    // Only a perpetual's value reads its cost (equity counts its PnL, not its notional).
    f.cost = f.perpetual ? toNumber(pos.costBasis) : 0;
    // Rebuilt in place, always in the same order, so equity() sums the same way every run.
    truncate(this.held, 0);
    for (const p of this.floats.values()) if (p.qty !== 0) this.held.push(p);
    this.refreshCash();
    if (!f.mark.known) this.setMark(f.mark, toNumber(lastPx));
  }

  /** The float copy of the account currency's cash, after anything moved it. */
  private refreshCash(): void {
    this.cashFloat = toNumber(this.ledger.balance(this.currency));
  }

  updatePrice(symbol: string, price: number): void {
    this.setMark(this.markOf(symbol), price);
    if (this.markPx.size > 0) {
      const v = this.markPx.get(symbol);
      if (v !== undefined && !v.published) this.setMark(v, price);
    }
  }

  /** Perpetuals: the venue's mark price of `symbol` (from now on it alone values the position). */
  updateMarkPrice(symbol: string, price: number): void {
    const v = this.valuationOf(symbol);
    v.published = true;
    this.setMark(v, price);
  }

  /** Perpetuals: the price positions are valued at — the venue's mark, else the last price. */
  markPrice(symbol: string): number | undefined {
    const v = this.markPx.get(symbol);
    return v !== undefined && v.known ? v.price : this.lastPrice(symbol);
  }

  private valuationOf(symbol: string): Mark & { published: boolean } {
    let v = this.markPx.get(symbol);
    if (v === undefined) {
      const last = this.lastPrice(symbol);
      v = { price: last ?? Number.NaN, known: last !== undefined, published: false };
      this.markPx.set(symbol, v);
    }
    return v;
  }

  /**
   * The price a position in `symbol` is valued at, in equity and unrealized PnL alike: the last
   * price for spot, the venue's mark for perpetuals (else the last price).
   */
  valuationPrice(symbol: string): number | undefined {
    return this.instrument(symbol).kind === 'SPOT' ? this.lastPrice(symbol) : this.markPrice(symbol);
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
        const p = this.valuationPrice(s);
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
