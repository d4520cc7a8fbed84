import type { Fixed, Numeric } from '../core/Fixed.js';
import { ZERO, abs, add, min, mul, mulDiv, neg, sub, toFixed } from '../core/Fixed.js';
import { QtsError } from '../core/QtsError.js';
import type { Instrument } from '../model/Instrument.js';
import type { OrderSide } from '../model/enums.js';

/** One execution as the ledger books it, exact. */
export interface LedgerFill {
  readonly side: OrderSide;
  readonly qty: Fixed;
  readonly px: Fixed;
  /** Positive = paid; negative = a maker rebate received (ccxt reports one as a negative cost). */
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

/**
 * Double-entry-exact bookkeeping of cash and positions. Every amount is Fixed; cost basis
 * released on a partial close is a pro-rata share rounded once, and what stays is the
 * exact remainder, so realized + unrealized PnL always equals the sum of the fills and
 * equity = cash + Σ valuation holds to the last unit.
 *
 * Spot moves the whole notional between quote cash and the base position; linear
 * perpetuals settle only realized PnL into cash. A spot balance that would go negative is
 * a broken invariant (risk and venue must have refused the order), so it throws. A fee in a
 * third currency is booked on that currency's own line (balance and feesPaid), outside the
 * equity of the settle currency. feesPaid keeps each fee in the currency it was charged in;
 * feesInSettle is what the account's reports show (coin fees valued at their fill's price).
 */
export class Ledger {
  private readonly cash = new Map<string, Fixed>();
  private readonly positions = new Map<string, PositionState>();
  private readonly neverTraded = new Map<string, PositionState>();
  private readonly fees = new Map<string, Fixed>();
  /**
   * Spot fees taken in the coin, valued at their fill's price, per settle currency (apart from
   * `fees`, so a fee charged in the settle currency, nearly every fill, costs no second entry).
   */
  private readonly coinFeesValued = new Map<string, Fixed>();
  /** Fees in a currency that is neither the fill's settle currency nor its coin (BNB): no price to value them. */
  private readonly feesOther = new Map<string, Fixed>();
  private realized: Fixed = ZERO;
  /** Perpetuals: net funding per currency (positive = received), and what insurance covered. */
  private readonly funding = new Map<string, Fixed>();
  private readonly insurance = new Map<string, Fixed>();

  constructor(initialCash: Readonly<Record<string, Numeric>> = {}) {
    for (const [currency, amount] of Object.entries(initialCash)) this.cash.set(currency, toFixed(amount));
  }

  /**
   * Puts back positions saved by a snapshot (restart). Only a fresh ledger may be restored:
   * mixing restored and booked positions would double count.
   */
  restorePositions(positions: readonly PositionState[]): void {
    if (this.positions.size > 0)
      throw new QtsError('ERR_LEDGER_RESTORE', 'positions can only be restored into a fresh ledger');
    for (const p of positions) {
      this.positions.set(p.symbol, {
        symbol: p.symbol,
        qty: p.qty,
        costBasis: p.costBasis,
        realizedPnl: p.realizedPnl,
      });
      this.realized = add(this.realized, p.realizedPnl);
    }
  }

  balance(currency: string): Fixed {
    return this.cash.get(currency) ?? ZERO;
  }

  balances(): ReadonlyMap<string, Fixed> {
    return this.cash;
  }

  position(symbol: string): PositionState {
    return this.positions.get(symbol) ?? this.flatPosition(symbol);
  }

  /** The state of a symbol never traded: one shared, immutable object per symbol. */
  private flatPosition(symbol: string): PositionState {
    let flat = this.neverTraded.get(symbol);
    if (flat === undefined) {
      flat = { symbol, qty: ZERO, costBasis: ZERO, realizedPnl: ZERO };
      this.neverTraded.set(symbol, flat);
    }
    return flat;
  }

  allPositions(): PositionState[] {
    return [...this.positions.values()];
  }

  realizedPnl(): Fixed {
    return this.realized;
  }

  /** Fees paid in `currency`, net of rebates received. */
  feesPaid(currency: string): Fixed {
    return this.fees.get(currency) ?? ZERO;
  }

  /**
   * Every fee of the fills that settle in `currency`, as a cost in it, net of rebates: a fee
   * in the settle currency as charged, a spot fee taken in the coin (Binance spot: every buy)
   * valued at its fill's price (fee × px), which is what those coins cost when they were
   * taken. A fee in a third currency is not in it (see feesUnvalued).
   */
  feesInSettle(currency: string): Fixed {
    return add(this.feesPaid(currency), this.coinFeesValued.get(currency) ?? ZERO);
  }

  /**
   * Fees in a currency no fill could price (a third currency: Binance's BNB discount), per
   * currency, net of rebates. They are left out of feesInSettle, never converted silently.
   */
  feesUnvalued(): ReadonlyMap<string, Fixed> {
    return this.feesOther;
  }

  /** Net funding booked in `currency`: positive = received, negative = paid. */
  fundingNet(currency: string): Fixed {
    return this.funding.get(currency) ?? ZERO;
  }

  /** What an insurance fund absorbed of liquidation deficits, in `currency`. */
  insuranceCovered(currency: string): Fixed {
    return this.insurance.get(currency) ?? ZERO;
  }

  /**
   * Books a perpetual funding payment (negative = paid) into the wallet, as its own line:
   * it is neither a fee nor trading PnL, so equity − start = realized + unrealized − fees +
   * funding + insurance holds exactly. A cross wallet may go negative through funding; the
   * liquidation engine, not the ledger, decides what happens then.
   */
  applyFunding(currency: string, amount: Fixed): void {
    this.cash.set(currency, add(this.balance(currency), amount));
    this.funding.set(currency, add(this.fundingNet(currency), amount));
  }

  /** Credits what the venue's insurance fund covered of a liquidation deficit. */
  applyInsurance(currency: string, amount: Fixed): void {
    if (amount < 0n) throw new QtsError('ERR_LEDGER_BAD_INSURANCE', 'an insurance credit cannot be negative');
    this.cash.set(currency, add(this.balance(currency), amount));
    this.insurance.set(currency, add(this.insuranceCovered(currency), amount));
  }

  /** Credits or debits cash outside trading (deposits, withdrawals, funding payments). */
  adjustCash(currency: string, amount: Fixed): void {
    const value = add(this.balance(currency), amount);
    if (value < 0n)
      throw new QtsError('ERR_LEDGER_NEGATIVE_BALANCE', `${currency} balance would become negative`);
    this.cash.set(currency, value);
  }

  /**
   * Books one fill. All-or-nothing: every new figure is computed and checked first, so a
   * fill that would break an invariant throws and leaves the ledger exactly as it was.
   */
  applyFill(instrument: Instrument, fill: LedgerFill): void {
    // A negative fee is a rebate the exchange paid: refusing it lost the fill it came with.
    if (fill.qty <= 0n || fill.px <= 0n) {
      throw new QtsError('ERR_LEDGER_BAD_FILL', `fill on ${instrument.symbol} needs qty > 0 and px > 0`);
    }
    const old = this.position(instrument.symbol);
    const spot = instrument.kind === 'SPOT';
    const settle = instrument.settle;
    const buy = fill.side === 'BUY';
    let qty = old.qty;
    let costBasis = old.costBasis;
    let realizedPnl = old.realizedPnl;
    let pnl: Fixed = ZERO;
    let cashDelta: Fixed = ZERO;

    // Part of the fill that reduces the current position, and the rest that opens or adds.
    const reducing = qty !== ZERO && qty > 0n !== buy;
    const closeQty = reducing ? min(fill.qty, abs(qty)) : ZERO;
    const openQty = sub(fill.qty, closeQty);
    if (spot && !buy && fill.qty > qty) {
      throw new QtsError(
        'ERR_LEDGER_NEGATIVE_BALANCE',
        `spot sell of ${fill.qty} exceeds ${qty} held of ${instrument.symbol}`,
      );
    }
    if (closeQty > 0n) {
      const held = abs(qty);
      // Closing the whole position releases the whole cost: (cost × q) ÷ q is the cost itself.
      const released = closeQty === held ? costBasis : mulDiv(costBasis, closeQty, held);
      const proceeds = mul(closeQty, fill.px);
      const exitValue = qty > 0n ? proceeds : neg(proceeds);
      pnl = sub(exitValue, released);
      costBasis = sub(costBasis, released);
      qty = qty > 0n ? sub(qty, closeQty) : add(qty, closeQty);
      realizedPnl = add(realizedPnl, pnl);
      // Spot receives the whole sale; a perpetual settles only the PnL.
      cashDelta = add(cashDelta, spot ? proceeds : pnl);
    }
    if (openQty > 0n) {
      const notional = mul(openQty, fill.px);
      costBasis = add(costBasis, buy ? notional : neg(notional));
      qty = buy ? add(qty, openQty) : sub(qty, openQty);
      if (spot) cashDelta = sub(cashDelta, notional);
    }
    if (qty === ZERO) costBasis = ZERO;

    // Venues that take a buy's fee in the bought coin deliver less of it; the cost stays.
    const feeInBase = fill.fee !== ZERO && spot && fill.feeCurrency === instrument.base;
    if (feeInBase) qty = sub(qty, fill.fee);
    if (feeInBase && qty === ZERO && costBasis !== ZERO) {
      // A sell's base fee took the last coins: their cost is a realized loss, not a cost
      // left on an empty position for the next one to inherit.
      pnl = sub(pnl, costBasis);
      realizedPnl = sub(realizedPnl, costBasis);
      costBasis = ZERO;
    }
    const feeFromCash = fill.fee !== ZERO && !feeInBase;
    const newSettle = add(
      this.balance(settle),
      add(cashDelta, feeFromCash && fill.feeCurrency === settle ? neg(fill.fee) : ZERO),
    );
    // A fee in a third currency (Binance's BNB discount) is never refused: the simulated venue
    // charges none, so it comes from an exchange that already executed the trade and took the
    // fee from a wallet these books do not hold (only the account currency is reconciled).
    // Refusing it lost every such fill; its line may go negative: spent from outside the books.
    const otherFeeBalance =
      feeFromCash && fill.feeCurrency !== settle ? sub(this.balance(fill.feeCurrency), fill.fee) : undefined;
    if (spot && (qty < 0n || newSettle < 0n)) {
      throw new QtsError(
        'ERR_LEDGER_NEGATIVE_BALANCE',
        `fill on ${instrument.symbol} would make a balance negative`,
        {
          symbol: instrument.symbol,
        },
      );
    }

    this.positions.set(instrument.symbol, { symbol: instrument.symbol, qty, costBasis, realizedPnl });
    this.realized = add(this.realized, pnl);
    this.cash.set(settle, newSettle);
    if (otherFeeBalance !== undefined) this.cash.set(fill.feeCurrency, otherFeeBalance);
    if (fill.fee !== ZERO) {
      this.fees.set(fill.feeCurrency, add(this.feesPaid(fill.feeCurrency), fill.fee));
      if (otherFeeBalance !== undefined)
        this.feesOther.set(fill.feeCurrency, add(this.feesOther.get(fill.feeCurrency) ?? ZERO, fill.fee));
      else if (feeInBase)
        this.coinFeesValued.set(settle, add(this.coinFeesValued.get(settle) ?? ZERO, mul(fill.fee, fill.px)));
    }
  }

  /**
   * Exact equity in `currency`: cash plus each position's value at its mark (spot: qty ×
   * mark; perpetual: unrealized PnL qty × mark − costBasis). Marks must be given for every
   * open position.
   */
  equity(
    currency: string,
    marks: (symbol: string) => Fixed,
    instruments: (symbol: string) => Instrument,
  ): Fixed {
    let total = this.balance(currency);
    for (const pos of this.positions.values()) {
      if (pos.qty === ZERO) continue;
      const inst = instruments(pos.symbol);
      if (inst.settle !== currency) {
        throw new QtsError(
          'ERR_MULTI_CURRENCY',
          `${pos.symbol} settles in ${inst.settle}, equity asked in ${currency}`,
        );
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
}
