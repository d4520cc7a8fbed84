import type { ExecutionEngine } from '../execution/ExecutionEngine.js';
import type { OrderEvent } from '../model/events.js';
import type { Order } from '../model/Order.js';
import type { Portfolio } from '../portfolio/Portfolio.js';
import type { FillBooking } from './FillBooking.js';
import type { StrategyEntry, StrategyRegistry } from './StrategyRegistry.js';

/**
 * Tells a strategy of an event of one of its orders. What it throws is the registry's to judge
 * (StrategyRegistry.fail): the event is already applied, and the OMS's publish goes on to the
 * bus's other subscribers. A strategy quarantined by its onOrderUpdate hears no onFill.
 */
function deliver(registry: StrategyRegistry, e: StrategyEntry, order: Order, event: OrderEvent): void {
  try {
    e.strategy.onOrderUpdate(order.view, event);
  } catch (err) {
    registry.fail(e, 'onOrderUpdate', event.symbol, event.ts, err);
  }
  if (event.type !== 'OrderFilled' || e.failure !== undefined) return;
  try {
    e.strategy.onFill(event, order.view);
  } catch (err) {
    registry.fail(e, 'onFill', event.symbol, event.ts, err);
  }
}

/**
 * Takes every order event to the strategy that owns the order, fills booked first. A strategy
 * that cannot act on its events yet has them held (HeldOrderEvents) and handed over once it
 * can. Whether any are held is the node's to remember (`route` and `liveData` tell it), so a
 * backtest's bar pays one field read for it.
 */
export class OrderEventRouter {
  constructor(
    private readonly strategies: StrategyRegistry,
    private readonly oms: ExecutionEngine,
    private readonly fills: FillBooking,
    private readonly portfolio: Portfolio,
    /** When live market data of a symbol last arrived (the runtime's record; absent in backtests). */
    private readonly lastDataAt: ((symbol: string) => number | undefined) | undefined,
  ) {}

  /**
   * Books a fill at once, then tells the strategy that owns the order. A strategy that cannot
   * act on it yet — the node has not started it (events of the start: cancels resumed, a kill
   * switch held, fills reconciliation found), or it is warming up (its orders would be refused,
   * its state writes dropped) — is handed it later, in arrival order, once it can (`releaseHeld`);
   * events that arrive while some wait queue behind them. True when the event was held.
   */
  route(event: OrderEvent): boolean {
    const order = this.oms.orderOf(event);
    if (!order) return false;
    if (event.type === 'OrderFilled') this.fills.book(event);
    const entry = this.strategies.get(event.strategyId);
    if (!entry?.running) return false;
    const held = entry.held;
    if (!this.strategies.isStarted || entry.ctx.isWarmingUp || held.size > 0 || held.isReleasing) {
      held.hold(order, event);
      return true;
    }
    deliver(this.strategies, entry, order, event);
    return false;
  }

  /**
   * A live price of `symbol` while order events are held: strategies trading it are handed
   * theirs, now that the risk engine and sizing judge what they send on a live price, before
   * they see that price themselves. True while some strategy still has events held.
   */
  liveData(symbol: string): boolean {
    let waiting = false;
    for (const e of this.strategies.values()) {
      if (e.ctx.symbols.includes(symbol)) this.releaseHeld(e);
      if (e.held.size > 0) waiting = true;
    }
    return waiting;
  }

  /**
   * Whether live market data of `symbol` arrived: the runtime's record of data (warm-up history
   * is not in it), else a price marked through onBar/onTrade (warm-up bars mark none).
   */
  private hasLiveData(symbol: string): boolean {
    const lastDataAt = this.lastDataAt;
    return lastDataAt === undefined
      ? this.portfolio.lastPrice(symbol) !== undefined
      : lastDataAt(symbol) !== undefined;
  }

  /**
   * Hands a strategy the order events held for it once it may act on them: started, warmed up,
   * and live market data of one of its symbols arrived (before that, risk would deny an order
   * that adds risk for want of data, and sizing has no price to size on). Delivery stops if the
   * strategy is stopped meanwhile.
   */
  releaseHeld(e: StrategyEntry): void {
    const strategies = this.strategies;
    if (!strategies.isStarted || !e.running || e.ctx.isWarmingUp || e.held.size === 0) return;
    if (!e.ctx.symbols.some((s) => this.hasLiveData(s))) return;
    e.held.release(
      (order, event) => deliver(strategies, e, order, event),
      () => strategies.isStarted && e.running && strategies.get(e.deployment.id) === e,
    );
  }
}
