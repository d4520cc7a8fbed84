import type { Fixed } from '../core/Fixed.js';
import { ZERO, abs, add, min, mul, mulDiv, sub } from '../core/Fixed.js';
import type { Instrument } from '../model/Instrument.js';
import { MarginMode } from '../model/MarginMode.js';
import type { OrderSide } from '../model/enums.js';
import type { Ledger, PositionState } from './Ledger.js';
import { initialMargin } from './marginMath.js';
import type { MarginSettings } from './MarginSettings.js';

/**
 * The margin put behind each isolated perpetual position of one account (MarginAccount's
 * bookkeeping of it): an opening fill adds qty × price / leverage, a reducing fill releases
 * its pro-rata share, funding and reconciliation move or replace it. MarginAccount decides
 * when a symbol is isolated; this keeps the figures.
 */
export class IsolatedMargins {
  private readonly booked = new Map<string, Fixed>();
  /**
   * Positions put back from a snapshot (restart) whose isolated margin was not saved with
   * them: until a fill or a funding payment books a figure, each counts what its opening
   * fills put there, |cost| ÷ the symbol's leverage (read when asked, as the leverage is
   * configured after the restore). Counted as zero, they lent their margin out again.
   */
  private readonly restored = new Set<string>();

  constructor(
    private readonly ledger: Ledger,
    private readonly instrument: (symbol: string) => Instrument,
    private readonly settings: (symbol: string) => MarginSettings,
  ) {}

  /** Margin behind an isolated position (zero for cross or flat). */
  of(symbol: string): Fixed {
    const m = this.booked.get(symbol);
    if (m !== undefined || this.restored.size === 0) return m ?? ZERO;
    return this.restoredMargin(symbol, this.ledger.position(symbol));
  }

  /** Whether a figure is booked for `symbol` (not one taken at entry). */
  has(symbol: string): boolean {
    return this.booked.has(symbol);
  }

  /** `symbol`'s margin is taken at entry until a figure is booked (see `restored`). */
  takeAtEntry(symbol: string): void {
    this.restored.add(symbol);
  }

  /**
   * Follows a fill of an isolated position the ledger just booked (`before` is the position
   * before it): releases margin pro rata on the reducing part and adds the initial margin of
   * the opening part.
   */
  onFill(symbol: string, before: PositionState, side: OrderSide, qty: Fixed, px: Fixed): void {
    // The ledger has booked the fill: a restored position's margin is read from `before`.
    let margin = this.booked.get(symbol) ?? this.restoredMargin(symbol, before);
    const reducing = before.qty !== ZERO && before.qty > 0n !== (side === 'BUY');
    const closeQty = reducing ? min(qty, abs(before.qty)) : ZERO;
    if (closeQty > 0n) margin = sub(margin, mulDiv(margin, closeQty, abs(before.qty)));
    const openQty = sub(qty, closeQty);
    if (openQty > 0n) margin = add(margin, initialMargin(mul(openQty, px), this.settings(symbol).leverage));
    this.set(symbol, margin);
  }

  /** Nothing stays behind `symbol`'s position (closed, or its mode changed). */
  drop(symbol: string): void {
    this.booked.delete(symbol);
    this.restored.delete(symbol);
  }

  /**
   * `wallet` minus every isolated margin (those taken at entry: of `currency` only). A booked
   * margin is not filtered by settle currency: an account has one (Portfolio refuses a fill
   * settling in another, ERR_MULTI_CURRENCY; funding and reconciliation move a margin only
   * behind an open position).
   */
  deductFrom(wallet: Fixed, currency: string): Fixed {
    let w = wallet;
    for (const m of this.booked.values()) w = sub(w, m);
    if (this.restored.size > 0)
      for (const s of this.restored)
        if (this.instrument(s).settle === currency)
          w = sub(w, this.restoredMargin(s, this.ledger.position(s)));
    return w;
  }

  set(symbol: string, margin: Fixed): void {
    if (this.restored.size > 0) this.restored.delete(symbol);
    if (margin === ZERO) this.booked.delete(symbol);
    else this.booked.set(symbol, margin);
  }

  private restoredMargin(symbol: string, pos: PositionState): Fixed {
    if (!this.restored.has(symbol)) return ZERO;
    const s = this.settings(symbol);
    if (pos.qty === ZERO || s.mode !== MarginMode.ISOLATED) return ZERO;
    return initialMargin(pos.costBasis, s.leverage);
  }
}
