import { ZERO, div, formatFixed, fromNumber } from '../../core/Fixed.js';
import type { Portfolio } from '../../portfolio/Portfolio.js';
import type { PositionView } from '../views.js';

/**
 * The open positions as `GET /positions` and the `positions` push channel show them, exact.
 * Unrealized PnL is taken at the price the position is valued at in equity
 * (Portfolio.valuationPrice: the last price for spot, the venue's mark for perpetuals), so the
 * positions' PnL moves with the equity the account shows, and a perpetual's agrees with the
 * exchange's, which is at the mark too.
 */
export function openPositions(p: Portfolio): PositionView[] {
  return p.ledger
    .allPositions()
    .filter((pos) => pos.qty !== ZERO)
    .map((pos) => {
      const last = p.lastPrice(pos.symbol);
      const valued = p.valuationPrice(pos.symbol);
      return {
        symbol: pos.symbol,
        qty: formatFixed(pos.qty),
        costBasis: formatFixed(pos.costBasis),
        avgPrice: formatFixed(div(pos.costBasis, pos.qty)),
        lastPrice: last ?? null,
        markPrice: valued ?? null,
        unrealizedPnl:
          valued === undefined ? null : formatFixed(p.ledger.unrealizedPnl(pos.symbol, fromNumber(valued))),
        realizedPnl: formatFixed(pos.realizedPnl),
      };
    });
}
