import type { Fixed } from '../core/Fixed.js';
import { ZERO, add, fromNumber, max, sub } from '../core/Fixed.js';
import type { Instrument } from '../model/Instrument.js';
import type { Order } from '../model/Order.js';
import type { RiskDenial, RiskLimits, RiskRule } from './preTradeRules.js';
import { PRE_TRADE_RULES, remainingCommitment } from './preTradeRules.js';
import { TradingState } from './TradingState.js';

/** What the risk engine reads of the rest of the system (ports, so it stays testable). */
export interface RiskView {
  instrument(symbol: string): Instrument;
  lastPrice(symbol: string): number | undefined;
  positionQty(symbol: string): Fixed;
  cash(currency: string): Fixed;
  openOrders(): readonly Order[];
}

/**
 * Sits between every order source (strategies, the API) and the OMS. It answers with a
 * denial (code + reason) or nothing; it never throws for a bad order, because a bad
 * order is an expected event, not a crash.
 */
export class RiskEngine {
  private tradingState: TradingState = TradingState.ACTIVE;

  constructor(
    private readonly view: RiskView,
    private limits: RiskLimits = {},
    private readonly rules: readonly RiskRule[] = PRE_TRADE_RULES,
  ) {}

  get state(): TradingState {
    return this.tradingState;
  }

  setState(state: TradingState): void {
    this.tradingState = state;
  }

  setLimits(limits: RiskLimits): void {
    this.limits = limits;
  }

  /** Judges an order that is not yet sent; undefined means approved. */
  check(order: Order): RiskDenial | undefined {
    const req = order.request;
    const instrument = this.view.instrument(req.symbol);
    const lastPrice = this.view.lastPrice(req.symbol);
    const open = this.uncommitted(order, instrument, this.view.openOrders(), lastPrice);
    const input = {
      request: req,
      instrument,
      state: this.tradingState,
      lastPrice,
      positionQty: this.view.positionQty(req.symbol),
      uncommittedCash: open.cash,
      uncommittedQty: open.qty,
      openOrderCount: open.count,
    };
    for (const rule of this.rules) {
      const denial = rule(input, this.limits);
      if (denial) return denial;
    }
    return undefined;
  }

  /**
   * Cash and position left after what the other open orders may still take, and how many
   * there are. Bracket children are not counted against funds: they only ever sell what
   * their parent bought.
   */
  private uncommitted(
    order: Order,
    instrument: Instrument,
    open: readonly Order[],
    lastPrice: number | undefined,
  ): { cash: Fixed; qty: Fixed; count: number } {
    let cash = this.view.cash(instrument.settle);
    let qty = max(this.view.positionQty(instrument.symbol), ZERO);
    const fallback = lastPrice !== undefined && lastPrice > 0 ? fromNumber(lastPrice) : undefined;
    let committedSell: Fixed = ZERO;
    let count = 0;
    for (const o of open) {
      if (o.id === order.id) continue;
      count++;
      if (o.request.parentId !== undefined || o.request.ocoGroup !== undefined) continue;
      const oi = this.view.instrument(o.symbol);
      if (oi.settle === instrument.settle && o.side === 'BUY') {
        cash = sub(cash, remainingCommitment(o.request, o.leavesQty, fallback, oi.takerFee));
      } else if (o.symbol === instrument.symbol && o.side === 'SELL') {
        committedSell = add(committedSell, o.leavesQty);
      }
    }
    qty = sub(qty, committedSell);
    return { cash: max(cash, ZERO), qty: max(qty, ZERO), count };
  }
}
