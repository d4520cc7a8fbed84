import type { Fixed } from '../core/Fixed.js';
import { ZERO, toNumber } from '../core/Fixed.js';
import type { Clock } from '../kernel/Clock.js';
import type { OrderFilled } from '../model/events.js';
import type { Portfolio } from '../portfolio/Portfolio.js';
import type { RiskEngine } from '../risk/RiskEngine.js';

/** Where the open round trip of a symbol started: realized PnL then, fees paid since. */
interface RoundTripStart {
  open: boolean;
  realized: Fixed;
  fees: number;
}

/**
 * Books fills into the portfolio, and when a fill closes a position (back to flat) tells the
 * risk engine how that round trip ended, net of fees, for the consecutive-loss cooldown.
 */
export class FillBooking {
  /**
   * Realized PnL and fees of each symbol's position since it opened (loss streaks). One
   * record per symbol, reused for every round trip: a fill is a hot path in a backtest.
   */
  private readonly openedAt = new Map<string, RoundTripStart>();

  constructor(
    private readonly portfolio: Portfolio,
    private readonly risk: RiskEngine,
    private readonly clock: Clock,
  ) {}

  /** Books a fill (before any strategy hears of it, so onFill sees the new position). */
  book(event: OrderFilled): void {
    const ledger = this.portfolio.ledger;
    const symbol = event.symbol;
    const opened = ledger.position(symbol);
    const before = opened.qty;
    let at = this.openedAt.get(symbol);
    if (before === ZERO) {
      if (at === undefined) {
        at = { open: true, realized: ZERO, fees: 0 };
        this.openedAt.set(symbol, at);
      }
      at.open = true;
      at.realized = opened.realizedPnl;
      at.fees = 0;
    }
    this.portfolio.applyFill(event);
    if (at === undefined || !at.open) return;
    // Only a fee paid from the settle currency's cash is outside the realized PnL. A spot fee
    // taken in the coin (Binance: every buy) is already in it: the coins are gone, their cost
    // stays, and closing the position realizes it. Adding it again, in coin units as money,
    // turned a winning trip in a cheap coin into a loss of thousands. A fee in a third
    // currency (BNB) has no price here and counts nothing.
    if (event.fee !== ZERO && event.feeCurrency === this.portfolio.currency) at.fees += toNumber(event.fee);
    const pos = ledger.position(symbol);
    if (pos.qty === ZERO && before !== ZERO) {
      at.open = false;
      // Converted only when loss streaks are counted: the same floats as converting at the open.
      if (this.risk.countsLossStreaks) {
        this.risk.onRoundTripClosed(
          event.strategyId,
          toNumber(pos.realizedPnl) - toNumber(at.realized) - at.fees,
          this.clock.now(),
        );
      }
    }
  }
}
