import type { Fixed, Numeric } from '../core/Fixed.js';
import { ZERO, abs, add, mul, mulDiv, neg, sub, toFixed } from '../core/Fixed.js';
import { QtsError } from '../core/QtsError.js';
import type { Instrument } from '../model/Instrument.js';
import type { OrderSide } from '../model/enums.js';

/** One execution as the ledger books it, exact. */
export interface LedgerFill {
  readonly side: OrderSide;
  readonly qty: Fixed;
  readonly px: Fixed;
  /** Positive = paid. */
  readonly fee: Fixed;
  readonly feeCurrency: string;
}

/** A position: signed quantity, the signed cost of what is still held, and what closing parts of it earned. */
export interface PositionState {
  readonly symbol: string;
  readonly qty: Fixed;
  /** Σ signed entry notional still open (long > 0, short < 0); avg entry = costBasis / qty. */
  readonly costBasis: Fixed;
  readonly realizedPnl: Fixed;
}

interface MutablePosition {
  symbol: string;
  qty: Fixed;
  costBasis: Fixed;
  realizedPnl: Fixed;
}

/**
 * Double-entry-exact bookkeeping of cash and positions. Every amount is Fixed; cost basis
 * released on a partial close is a pro-rata share rounded once, and what stays is the
 * exact remainder, so realized + unrealized PnL always equals the sum of the fills and
 * equity = cash + Σ valuation holds to the last unit.
 *
 * Spot moves the whole notional between quote cash and the base position; linear
 * perpetuals settle only realized PnL into cash. A spot balance that would go negative is
 * a broken invariant (risk and venue must have refused the order), so it throws.
 */
export class Ledger {
  private readonly cash = new Map<string, Fixed>();
  private readonly positions = new Map<string, MutablePosition>();
  private readonly fees = new Map<string, Fixed>();
  private realized: Fixed = ZERO;

  constructor(initialCash: Readonly<Record<string, Numeric>> = {}) {
    for (const [currency, amount] of Object.entries(initialCash)) this.cash.set(currency, toFixed(amount));
  }

  balance(currency: string): Fixed {
    return this.cash.get(currency) ?? ZERO;
  }

  balances(): ReadonlyMap<string, Fixed> {
    return this.cash;
  }

  position(symbol: string): PositionState {
    return this.positions.get(symbol) ?? { symbol, qty: ZERO, costBasis: ZERO, realizedPnl: ZERO };
  }

  allPositions(): PositionState[] {
    return [...this.positions.values()];
  }

  realizedPnl(): Fixed {
    return this.realized;
  }

  feesPaid(currency: string): Fixed {
    return this.fees.get(currency) ?? ZERO;
  }

  /** Credits or debits cash outside trading (deposits, withdrawals, funding payments). */
  adjustCash(currency: string, amount: Fixed): void {
    this.setCash(currency, add(this.balance(currency), amount), true);
  }

  applyFill(instrument: Instrument, fill: LedgerFill): void {
    if (fill.qty <= 0n || fill.px <= 0n) {
      throw new QtsError('ERR_LEDGER_BAD_FILL', `fill on ${instrument.symbol} needs qty > 0 and px > 0`);
    }
    const pos = this.mutablePosition(instrument.symbol);
    const signed = fill.side === 'BUY' ? fill.qty : neg(fill.qty);
    const spot = instrument.kind === 'SPOT';
    const settle = instrument.settle;

    // Part of the fill that reduces the current position, and the rest that opens or adds.
    const reducing = pos.qty !== ZERO && pos.qty > 0n !== signed > 0n;
    const closeQty = reducing ? (abs(signed) < abs(pos.qty) ? abs(signed) : abs(pos.qty)) : ZERO;
    const openQty = sub(fill.qty, closeQty);

    if (spot && fill.side === 'SELL' && fill.qty > pos.qty) {
      throw new QtsError('ERR_LEDGER_NEGATIVE_BALANCE', `spot sell of ${fill.qty} exceeds ${pos.qty} held of ${instrument.symbol}`);
    }

    if (closeQty > 0n) {
      const released = mulDiv(pos.costBasis, closeQty, abs(pos.qty));
      const exitValue = pos.qty > 0n ? mul(closeQty, fill.px) : neg(mul(closeQty, fill.px));
      const pnl = sub(exitValue, released);
      pos.costBasis = sub(pos.costBasis, released);
      pos.qty = pos.qty > 0n ? sub(pos.qty, closeQty) : add(pos.qty, closeQty);
      pos.realizedPnl = add(pos.realizedPnl, pnl);
      this.realized = add(this.realized, pnl);
      // Spot receives the whole sale; a perpetual settles only the PnL.
      this.setCash(settle, add(this.balance(settle), spot ? mul(closeQty, fill.px) : pnl), spot);
    }
    if (openQty > 0n) {
      const notional = mul(openQty, fill.px);
      const signedNotional = fill.side === 'BUY' ? notional : neg(notional);
      pos.costBasis = add(pos.costBasis, signedNotional);
      pos.qty = fill.side === 'BUY' ? add(pos.qty, openQty) : sub(pos.qty, openQty);
      if (spot) this.setCash(settle, sub(this.balance(settle), notional), true);
    }
    if (pos.qty === ZERO) pos.costBasis = ZERO;
    this.chargeFee(instrument, pos, fill);
  }

  /**
   * Exact equity in `currency`: cash plus each position's value at its mark (spot: qty ×
   * mark; perpetual: unrealized PnL qty × mark − costBasis). Marks must be given for every
   * open position.
   */
  equity(currency: string, marks: (symbol: string) => Fixed, instruments: (symbol: string) => Instrument): Fixed {
    let total = this.balance(currency);
    for (const pos of this.positions.values()) {
      if (pos.qty === ZERO) continue;
      const inst = instruments(pos.symbol);
      if (inst.settle !== currency) {
        throw new QtsError('ERR_MULTI_CURRENCY', `${pos.symbol} settles in ${inst.settle}, equity asked in ${currency}`);
      }
      total = add(total, this.valuation(inst, pos, marks(pos.symbol)));
    }
    return total;
  }

  /** Unrealized PnL of one position at `mark`. */
  unrealizedPnl(symbol: string, mark: Fixed): Fixed {
    const pos = this.position(symbol);
    return sub(mul(pos.qty, mark), pos.costBasis);
  }

  private valuation(inst: Instrument, pos: PositionState, mark: Fixed): Fixed {
    const marked = mul(pos.qty, mark);
    return inst.kind === 'SPOT' ? marked : sub(marked, pos.costBasis);
  }

  private chargeFee(instrument: Instrument, pos: MutablePosition, fill: LedgerFill): void {
    if (fill.fee === ZERO) return;
    this.fees.set(fill.feeCurrency, add(this.feesPaid(fill.feeCurrency), fill.fee));
    if (fill.feeCurrency === instrument.base && instrument.kind === 'SPOT') {
      // Venues that take a buy's fee in the bought coin deliver less of it; the cost stays.
      if (fill.fee > pos.qty) throw new QtsError('ERR_LEDGER_NEGATIVE_BALANCE', `fee exceeds ${instrument.symbol} held`);
      pos.qty = sub(pos.qty, fill.fee);
      return;
    }
    this.setCash(fill.feeCurrency, sub(this.balance(fill.feeCurrency), fill.fee), true);
  }

  private setCash(currency: string, value: Fixed, guard: boolean): void {
    if (guard && value < 0n) {
      throw new QtsError('ERR_LEDGER_NEGATIVE_BALANCE', `${currency} balance would become ${value}`, { currency });
    }
    this.cash.set(currency, value);
  }

  private mutablePosition(symbol: string): MutablePosition {
    let pos = this.positions.get(symbol);
    if (!pos) {
      pos = { symbol, qty: ZERO, costBasis: ZERO, realizedPnl: ZERO };
      this.positions.set(symbol, pos);
    }
    return pos;
  }
}
