import { ZERO, div, toNumber } from '../core/Fixed.js';
import { isDust } from '../model/Instrument.js';
import type { PositionState } from '../portfolio/Ledger.js';
import type { PositionView } from '../strategy/StrategyContext.js';
import type { ContextHost } from './ContextHost.js';

/**
 * The positions a strategy sees, one view per symbol kept while the ledger's state for it is
 * unchanged: strategies ask on every signal, fills are rarer.
 */
export class PositionViews {
  /** The last position view given out per symbol, with the ledger state it shows. */
  private readonly views = new Map<string, { state: PositionState; view: PositionView }>();

  constructor(private readonly node: ContextHost) {}

  position(symbol: string): PositionView {
    const pos = this.node.portfolio.ledger.position(symbol);
    // The ledger replaces a position's state on every fill, so a view made from the same
    // state is still true.
    const cached = this.views.get(symbol);
    if (cached !== undefined && cached.state === pos) return cached.view;
    // Less than one lot cannot be traded: the dust a fee taken from the coin bought leaves
    // (buy 100, hold 99.9, sell 99) counts as flat, or a long/flat strategy never buys again.
    // So does a long too small to sell once a sell's fee taken in the base coin is kept back
    // (what a whole-position sell leaves there: up to a lot plus the fee's rounding).
    // Positions built from whole lots with fees in the quote are never dust, so such backtests
    // see no difference. The backtest's trip list closes trips by the same rule (isDust).
    const dust = isDust(this.node.instrument(symbol), pos.qty);
    const view: PositionView = {
      symbol,
      qty: pos.qty,
      qtyNumber: toNumber(pos.qty),
      avgPrice: pos.qty === ZERO ? undefined : toNumber(div(pos.costBasis, pos.qty)),
      realizedPnl: pos.realizedPnl,
      isFlat: pos.qty === ZERO || dust,
      isLong: pos.qty > 0n && !dust,
      isShort: pos.qty < 0n && !dust,
    };
    if (cached === undefined) this.views.set(symbol, { state: pos, view });
    else {
      cached.state = pos;
      cached.view = view;
    }
    return view;
  }
}
