import type { Fixed } from '../core/Fixed.js';
import { ZERO, toNumber } from '../core/Fixed.js';
import type { Clock } from '../kernel/Clock.js';
import type { OrderFilled } from '../model/events.js';
import type { PositionLiquidated } from '../model/futuresEvents.js';
import type { Portfolio } from '../portfolio/Portfolio.js';
import type { RiskEngine } from '../risk/RiskEngine.js';

/** Where the open round trip of a symbol started: realized PnL then, fees paid since. */
interface RoundTripStart {
  open: boolean;
  realized: Fixed;
  fees: number;
  /** The strategy whose fill last moved the position: a liquidation's loss is its losing trip. */
  strategyId: string;
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
    const symbol = event.symbol;
    const before = this.portfolio.ledger.position(symbol).qty;
    const at = this.opening(symbol, before, event.strategyId);
    this.portfolio.applyFill(event);
    this.closing(symbol, before, at, event.fee, event.feeCurrency, event.strategyId);
  }

  /**
   * Books a liquidation (the venue closed the position, no order of ours): the round trip
   * ends as a losing fill would end it, for the strategy whose fill last moved the position
   * — the largest loss a strategy can take must count in its loss streak.
   */
  bookLiquidation(event: PositionLiquidated): void {
    const symbol = event.symbol;
    const before = this.portfolio.ledger.position(symbol).qty;
    const at = this.openedAt.get(symbol);
    this.portfolio.applyLiquidation(event);
    if (at !== undefined) this.closing(symbol, before, at, event.fee, event.currency, at.strategyId);
  }

  /**
   * A position the engine restarted with: its round trip goes on from here, for `strategyId`
   * (whose fill last moved it), with the settle-currency fees its fills paid so far. Without
   * it the trip closing after the restart was no trip at all, and a losing one never counted
   * in the loss streak. PnL realized by partial closes before the restart is not in the trip.
   */
  resumeOpen(symbol: string, strategyId: string, feesSoFar: number): void {
    const pos = this.portfolio.ledger.position(symbol);
    if (pos.qty === ZERO || this.openedAt.get(symbol)?.open === true) return;
    this.openedAt.set(symbol, { open: true, realized: pos.realizedPnl, fees: feesSoFar, strategyId });
  }

  /** A fill from flat opens a round trip: realized PnL now, no fees yet. */
  private opening(symbol: string, before: Fixed, strategyId: string): RoundTripStart | undefined {
    let at = this.openedAt.get(symbol);
    if (before === ZERO) {
      if (at === undefined) {
        at = { open: true, realized: ZERO, fees: 0, strategyId };
        this.openedAt.set(symbol, at);
      }
      at.open = true;
      at.realized = this.portfolio.ledger.position(symbol).realizedPnl;
      at.fees = 0;
    }
    return at;
  }

  /** After a booking: fees of the trip add up; back to flat, the trip's net PnL goes to the risk engine. */
  private closing(
    symbol: string,
    before: Fixed,
    at: RoundTripStart | undefined,
    fee: Fixed,
    feeCurrency: string,
    strategyId: string,
  ): void {
    if (at === undefined || !at.open) return;
    at.strategyId = strategyId;
    // Only a fee paid from the settle currency's cash is outside the realized PnL. A spot fee
    // taken in the coin (Binance: every buy) is already in it: the coins are gone, their cost
    // stays, and closing the position realizes it. Adding it again, in coin units as money,
    // turned a winning trip in a cheap coin into a loss of thousands. A fee in a third
    // currency (BNB) has no price here and counts nothing.
    if (fee !== ZERO && feeCurrency === this.portfolio.currency) at.fees += toNumber(fee);
    const pos = this.portfolio.ledger.position(symbol);
    if (pos.qty === ZERO && before !== ZERO) {
      at.open = false;
      // Converted only when loss streaks are counted: the same floats as converting at the open.
      if (this.risk.countsLossStreaks) {
        this.risk.onRoundTripClosed(
          strategyId,
          toNumber(pos.realizedPnl) - toNumber(at.realized) - at.fees,
          this.clock.now(),
        );
      }
    }
  }
}
