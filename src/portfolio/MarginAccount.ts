import type { Fixed } from '../core/Fixed.js';
import { ZERO, abs, add, div, min, mul, mulDiv, neg, sub } from '../core/Fixed.js';
import { QtsError } from '../core/QtsError.js';
import type { Instrument } from '../model/Instrument.js';
import { MarginMode } from '../model/MarginMode.js';
import type { OrderSide } from '../model/enums.js';
import { IsolatedMargins } from './IsolatedMargins.js';
import type { Ledger, PositionState } from './Ledger.js';
import { initialMargin, liquidationPrice, maintenanceMargin, unrealized } from './marginMath.js';
import type { MarginSettings } from './MarginSettings.js';
import { DEFAULT_MARGIN_SETTINGS } from './MarginSettings.js';
import type { LiquidationPlan } from './planLiquidation.js';
import { planLiquidation } from './planLiquidation.js';

export type { MarginSettings } from './MarginSettings.js';
export { DEFAULT_MARGIN_SETTINGS } from './MarginSettings.js';
export type { LiquidationPlan } from './planLiquidation.js';

/** A position as a saved snapshot puts it back, with the margin settings it was booked under if saved. */
export interface RestoredPosition extends PositionState {
  readonly margin?: MarginSettings;
  /** The isolated margin saved with it (funding moves it away from |cost| ÷ leverage). */
  readonly isolatedMargin?: Fixed;
}

/** Why an order or fill is refused for margin: the amounts, for the reason text. */
export interface MarginShortfall {
  readonly required: Fixed;
  readonly available: Fixed;
}

/**
 * Margin of the perpetual positions of one account (Binance USDⓈ-M, one-way mode). The
 * Ledger stays the record of cash (the wallet balance) and positions; this adds what a
 * futures exchange keeps beside it: per-symbol leverage and margin mode, the margin put
 * behind each isolated position, and the figures liquidation is decided on.
 *
 * Isolated margin is part of the wallet, carved out for one position: an opening fill adds
 * qty × price / leverage, a reducing fill releases its pro-rata share, funding of that
 * position is added to or taken from it. The cross wallet is the wallet minus every
 * isolated margin; cross positions share it.
 */
export class MarginAccount {
  private readonly settingsBySymbol = new Map<string, MarginSettings>();
  private readonly isolated: IsolatedMargins;

  constructor(
    private readonly ledger: Ledger,
    private readonly instrument: (symbol: string) => Instrument,
    /** Mark price of a symbol, exact; undefined before any price. */
    private readonly mark: (symbol: string) => Fixed | undefined,
    private defaults: MarginSettings = DEFAULT_MARGIN_SETTINGS,
  ) {
    this.isolated = new IsolatedMargins(ledger, instrument, (symbol) => this.settings(symbol));
  }

  /**
   * Sets leverage and/or margin mode of a symbol (of every symbol without its own when
   * `symbol` is undefined). Leverage is a whole number in 1..the instrument's maximum; the
   * mode of a symbol can change only while it is flat, as on Binance.
   */
  configure(symbol: string | undefined, change: Partial<MarginSettings>): void {
    if (symbol === undefined) {
      this.defaults = { ...this.defaults, ...change };
      return;
    }
    const inst = this.instrument(symbol);
    const next = { ...this.settings(symbol), ...change };
    if (!Number.isInteger(next.leverage) || next.leverage < 1 || next.leverage > inst.maxLeverage) {
      throw new QtsError(
        'ERR_INVALID_LEVERAGE',
        `${symbol}: leverage must be a whole number from 1 to ${inst.maxLeverage}, got ${next.leverage}`,
      );
    }
    const current = this.settings(symbol);
    if (next.mode !== current.mode && this.ledger.position(symbol).qty !== ZERO) {
      throw new QtsError(
        'ERR_MARGIN_MODE_OPEN_POSITION',
        `${symbol}: margin mode cannot change with a position open`,
      );
    }
    this.settingsBySymbol.set(symbol, next);
  }

  settings(symbol: string): MarginSettings {
    return this.settingsBySymbol.get(symbol) ?? this.defaults;
  }

  /** Signed position of a symbol (as the ledger holds it). */
  positionQty(symbol: string): Fixed {
    return this.ledger.position(symbol).qty;
  }

  /** Margin behind an isolated position (zero for cross or flat). */
  isolatedMargin(symbol: string): Fixed {
    return this.isolated.of(symbol);
  }

  /**
   * Positions restored from a snapshot: their isolated margin is the one saved with them, else
   * taken at entry (see IsolatedMargins' `restored`), and each comes back under the settings it
   * was saved with. A mode cannot change while the position is open, so a cross position that
   * came back as the default isolated stayed isolated in our books for good while the exchange
   * margined it cross.
   */
  restore(
    positions: Iterable<{
      readonly symbol: string;
      readonly margin?: MarginSettings | undefined;
      readonly isolatedMargin?: Fixed | undefined;
    }>,
  ): void {
    for (const { symbol, margin, isolatedMargin } of positions) {
      if (margin !== undefined) this.settingsBySymbol.set(symbol, { ...margin });
      if (isolatedMargin !== undefined && this.settings(symbol).mode === MarginMode.ISOLATED)
        this.isolated.set(symbol, isolatedMargin);
      else if (!this.isolated.has(symbol)) this.isolated.takeAtEntry(symbol);
    }
  }

  /** Follows a fill the ledger just booked (`before`: the position before it), see IsolatedMargins. */
  onFill(inst: Instrument, before: PositionState, side: OrderSide, qty: Fixed, px: Fixed): void {
    if (inst.kind === 'SPOT' || this.settings(inst.symbol).mode !== MarginMode.ISOLATED) return;
    this.isolated.onFill(inst.symbol, before, side, qty, px);
  }

  /** A funding payment of an isolated position moves its margin with the wallet. */
  onFunding(symbol: string, amount: Fixed): void {
    if (this.settings(symbol).mode !== MarginMode.ISOLATED || this.ledger.position(symbol).qty === ZERO)
      return;
    this.isolated.set(symbol, add(this.isolatedMargin(symbol), amount));
  }

  /**
   * Takes the exchange's figure as the margin behind an open isolated position (reconciliation:
   * the operator added or removed margin on the exchange, or the figures drifted apart).
   * Ignored for cross, spot or a flat position, which have none.
   */
  adoptIsolatedMargin(symbol: string, margin: Fixed): void {
    if (this.instrument(symbol).kind === 'SPOT' || this.settings(symbol).mode !== MarginMode.ISOLATED) return;
    if (this.ledger.position(symbol).qty === ZERO) return;
    this.isolated.set(symbol, margin);
  }

  /**
   * Takes the exchange's margin mode for `symbol` (reconciliation: the exchange margins the
   * position under another mode than ours, e.g. switched in its UI while flat, then reopened).
   * Unlike `configure` this is allowed with a position open: it records what the exchange does
   * rather than changing it. Isolated → cross: the margin behind the position returns to the
   * cross wallet; → isolated: `isolatedMargin` (the exchange's figure) is put behind it, else
   * |cost| ÷ leverage as for a restored position. Ignored for spot.
   */
  adoptMarginMode(symbol: string, mode: MarginMode, isolatedMargin?: Fixed): void {
    if (this.instrument(symbol).kind === 'SPOT') return;
    this.settingsBySymbol.set(symbol, { ...this.settings(symbol), mode });
    this.isolated.drop(symbol);
    if (mode !== MarginMode.ISOLATED || this.ledger.position(symbol).qty === ZERO) return;
    if (isolatedMargin !== undefined) this.isolated.set(symbol, isolatedMargin);
    else this.isolated.takeAtEntry(symbol);
  }

  /** The position is gone (liquidated): nothing stays behind it. */
  onClosed(symbol: string): void {
    this.isolated.drop(symbol);
  }

  /** Wallet balance minus every isolated margin: what cross positions share. */
  crossWallet(currency: string): Fixed {
    return this.isolated.deductFrom(this.ledger.balance(currency), currency);
  }

  /**
   * Balance free for new margin: cross wallet + unrealized losses of cross positions −
   * their initial margin at mark. Unrealized profits are not lent out again (a conservative
   * reading of Binance's "available balance").
   */
  availableBalance(currency: string): Fixed {
    return this.availableWithout(currency, undefined, ZERO);
  }

  /**
   * availableBalance once `closeQty` of `symbol`'s cross position is gone: that part's
   * unrealized PnL and initial margin leave the sums (the caller adds what closing it
   * realizes). Counting its loss as unrealized and again as realized refused flips out of a
   * losing position that the account could margin.
   */
  private availableWithout(currency: string, symbol: string | undefined, closeQty: Fixed): Fixed {
    let upnl: Fixed = ZERO;
    let im: Fixed = ZERO;
    for (const p of this.openPositions(currency, MarginMode.CROSS)) {
      const m = this.markOr(p);
      let qty = p.qty;
      let cost = p.costBasis;
      if (p.symbol === symbol) {
        cost = sub(cost, mulDiv(cost, closeQty, abs(qty)));
        qty = qty > 0n ? sub(qty, closeQty) : add(qty, closeQty);
      }
      upnl = add(upnl, unrealized(qty, cost, m));
      im = add(im, initialMargin(mul(qty, m), this.settings(p.symbol).leverage));
    }
    return sub(add(this.crossWallet(currency), min(upnl, ZERO)), im);
  }

  /**
   * Whether a trade of `qty` at `px` with `fee` can be margined now; the shortfall when not.
   * Only the part that opens or grows a position needs initial margin; the part that closes
   * frees its margin and realizes its PnL first (a flip).
   */
  marginShortfall(
    inst: Instrument,
    side: OrderSide,
    qty: Fixed,
    px: Fixed,
    fee: Fixed,
  ): MarginShortfall | undefined {
    const pos = this.ledger.position(inst.symbol);
    const reducing = pos.qty !== ZERO && pos.qty > 0n !== (side === 'BUY');
    const closeQty = reducing ? min(qty, abs(pos.qty)) : ZERO;
    const openQty = sub(qty, closeQty);
    if (openQty <= 0n) return undefined;
    const settings = this.settings(inst.symbol);
    const isolated = settings.mode === MarginMode.ISOLATED;
    let available = this.availableWithout(
      inst.settle,
      isolated || closeQty === ZERO ? undefined : inst.symbol,
      closeQty,
    );
    if (closeQty > 0n) {
      const released = mulDiv(pos.costBasis, closeQty, abs(pos.qty));
      const exit = pos.qty > 0n ? mul(closeQty, px) : neg(mul(closeQty, px));
      // Isolated: the closed part's margin returns to the cross wallet; cross: it left the sums above.
      const freed = isolated ? mulDiv(this.isolatedMargin(inst.symbol), closeQty, abs(pos.qty)) : ZERO;
      available = add(available, add(freed, sub(exit, released)));
    }
    const required = add(initialMargin(mul(openQty, px), settings.leverage), fee);
    return required <= available ? undefined : { required, available };
  }

  /** Margin balance and maintenance margin deciding a liquidation of `symbol` with its mark at `px`. */
  health(symbol: string, px: Fixed): { balance: Fixed; maintenance: Fixed } | undefined {
    const pos = this.ledger.position(symbol);
    if (pos.qty === ZERO) return undefined;
    const inst = this.instrument(symbol);
    if (this.settings(symbol).mode === MarginMode.ISOLATED) {
      return {
        balance: add(this.isolatedMargin(symbol), unrealized(pos.qty, pos.costBasis, px)),
        maintenance: maintenanceMargin(inst, mul(pos.qty, px)),
      };
    }
    let balance = this.crossWallet(inst.settle);
    let maintenance: Fixed = ZERO;
    for (const p of this.openPositions(inst.settle, MarginMode.CROSS)) {
      const m = p.symbol === symbol ? px : this.markOr(p);
      balance = add(balance, unrealized(p.qty, p.costBasis, m));
      maintenance = add(maintenance, maintenanceMargin(this.instrument(p.symbol), mul(p.qty, m)));
    }
    return { balance, maintenance };
  }

  /**
   * Mark price of `symbol` at which its position is liquidated, other positions held at
   * their marks (Binance's formula, see marginMath); undefined when flat or never.
   */
  liquidationPrice(symbol: string): Fixed | undefined {
    const pos = this.ledger.position(symbol);
    if (pos.qty === ZERO) return undefined;
    const inst = this.instrument(symbol);
    if (this.settings(symbol).mode === MarginMode.ISOLATED)
      return liquidationPrice(inst, pos.qty, pos.costBasis, this.isolatedMargin(symbol));
    let backing = this.crossWallet(inst.settle);
    for (const p of this.openPositions(inst.settle, MarginMode.CROSS)) {
      if (p.symbol === symbol) continue;
      const m = this.markOr(p);
      backing = add(backing, unrealized(p.qty, p.costBasis, m));
      backing = sub(backing, maintenanceMargin(this.instrument(p.symbol), mul(p.qty, m)));
    }
    return liquidationPrice(inst, pos.qty, pos.costBasis, backing);
  }

  /**
   * What liquidating `symbol` at `px` books (see planLiquidation). Isolated: that position
   * alone, out of its margin. Cross: every cross position of the settle currency closes (the
   * others at their marks), out of the cross wallet.
   */
  liquidationPlans(symbol: string, px: Fixed): LiquidationPlan[] {
    const pos = this.ledger.position(symbol);
    if (pos.qty === ZERO) return [];
    const inst = this.instrument(symbol);
    const mode = this.settings(symbol).mode;
    const positions =
      mode === MarginMode.ISOLATED
        ? [pos]
        : [pos, ...this.openPositions(inst.settle, MarginMode.CROSS).filter((p) => p.symbol !== symbol)];
    const backing =
      mode === MarginMode.ISOLATED ? this.isolatedMargin(symbol) : this.crossWallet(inst.settle);
    return planLiquidation(
      mode,
      backing,
      positions.map((p) => ({
        symbol: p.symbol,
        qty: p.qty,
        costBasis: p.costBasis,
        price: p.symbol === symbol ? px : this.markOr(p),
        feeRate: this.instrument(p.symbol).liquidationFeeRate,
      })),
    );
  }

  /** Σ |qty| × mark of the open perpetual positions settling in `currency` (for leverage statistics). */
  grossNotional(currency: string): Fixed {
    let total: Fixed = ZERO;
    for (const p of this.ledger.allPositions()) {
      if (p.qty === ZERO) continue;
      const inst = this.instrument(p.symbol);
      if (inst.kind === 'SPOT' || inst.settle !== currency) continue;
      total = add(total, abs(mul(p.qty, this.markOr(p))));
    }
    return total;
  }

  /** Σ initial margin at mark of the open perpetual positions (isolated: the margin behind them). */
  marginInUse(currency: string): Fixed {
    let total: Fixed = ZERO;
    for (const p of this.ledger.allPositions()) {
      if (p.qty === ZERO) continue;
      const inst = this.instrument(p.symbol);
      if (inst.kind === 'SPOT' || inst.settle !== currency) continue;
      const s = this.settings(p.symbol);
      total = add(
        total,
        s.mode === MarginMode.ISOLATED
          ? this.isolatedMargin(p.symbol)
          : initialMargin(mul(p.qty, this.markOr(p)), s.leverage),
      );
    }
    return total;
  }

  private openPositions(currency: string, mode: MarginMode): PositionState[] {
    return this.ledger.allPositions().filter((p) => {
      if (p.qty === ZERO) return false;
      const inst = this.instrument(p.symbol);
      return inst.kind !== 'SPOT' && inst.settle === currency && this.settings(p.symbol).mode === mode;
    });
  }

  /** The mark, or the entry price while no mark is known yet. */
  private markOr(p: PositionState): Fixed {
    return this.mark(p.symbol) ?? div(p.costBasis, p.qty);
  }
}
