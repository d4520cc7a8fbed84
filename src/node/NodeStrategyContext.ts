import type { Numeric } from '../core/Fixed.js';
import { ZERO } from '../core/Fixed.js';
import { QtsError } from '../core/QtsError.js';
import type { Millis } from '../core/time.js';
import { barsTopic, formingBarsTopic, tradesTopic } from '../kernel/topics.js';
import type { Instrument } from '../model/Instrument.js';
import { closingQty } from '../model/Instrument.js';
import type { OrderView } from '../model/OrderView.js';
import { viewsOf } from '../model/OrderView.js';
import type { Strategy } from '../strategy/Strategy.js';
import { checkTimerInterval } from '../strategy/timerInterval.js';
import type { AmendOutcome } from '../model/OrderAmend.js';
import type {
  AmendChange,
  Bracket,
  BracketIntent,
  OrderIntent,
  OrderOptions,
  PortfolioView,
  PositionView,
  StrategyContext,
  StrategyLogger,
  StrategyStateStore,
} from '../strategy/StrategyContext.js';
import type { StrategyLogSink } from './StrategyLogSink.js';
import type { SizingSpec } from '../portfolio/Sizer.js';
import type { ContextHost } from './ContextHost.js';
import { PositionViews } from './PositionViews.js';
import { StrategyOrders } from './StrategyOrders.js';
import type { StrategyFailure, StrategyHook } from './strategyFailed.js';
import { ERR_STRATEGY_QUARANTINED } from './strategyFailed.js';
import { StrategyTimers } from './StrategyTimers.js';
import { uncommittedCash } from './uncommittedCash.js';
import { WarmUpRefusals } from './WarmUpRefusals.js';
import { WarmUpStateStore } from './WarmUpStateStore.js';

export type { ContextHost } from './ContextHost.js';
export { ERR_WARMING_UP } from './WarmUpRefusals.js';

/**
 * Called from the catch around a strategy handler with what it threw: throws the named error
 * (backtests) or quarantines the instance (shadow, live); see StrategyRegistry.fail.
 */
export type HandlerFailed = (
  hook: StrategyHook,
  symbol: string | undefined,
  ts: Millis,
  err: unknown,
) => void;

/**
 * The StrategyContext a TradingNode hands each strategy. The convenience verbs (buy, sell,
 * bracket, closePosition) round quantities down to the lot and prices to the tick, as a
 * trader expects; `submitOrder` passes amounts as given, so the risk engine's precision
 * check still guards hand-built orders.
 *
 * This class decides who answers: while the strategy warms up, WarmUpRefusals answers its
 * order verbs, WarmUpStateStore holds its state writes and StrategyTimers holds its timers;
 * afterwards StrategyOrders trades and the timers run on the strategies' clock (the node's,
 * or bar time on replayed history: ReplayClock).
 */
export class NodeStrategyContext implements StrategyContext {
  readonly clock: { now(): Millis };
  readonly log: StrategyLogger;
  readonly portfolio: PortfolioView;
  private strategy: Strategy<unknown> | undefined;
  private readonly subscribed = new Set<string>();
  /** Bus subscriptions this context made, undone by `detach`. */
  private readonly unsubscribes: (() => void)[] = [];
  private readonly positions: PositionViews;
  private readonly orders: StrategyOrders;
  private readonly timers: StrategyTimers;
  readonly state: StrategyStateStore;
  private readonly warmUpState: WarmUpStateStore;
  /** Warm-up (see beginWarmUp): order verbs refuse, state writes stay in memory, timers wait. */
  private warmingUp = false;
  /** Closed bars of its own timeframe per symbol the strategy was handed while warming up. */
  private readonly warmUpBarsSeen = new Map<string, number>();
  private readonly refusals: WarmUpRefusals;
  /** Set once a handler threw and the instance was quarantined (see `quarantine`). */
  private failure: StrategyFailure | undefined;

  constructor(
    private readonly node: ContextHost,
    readonly strategyId: string,
    readonly symbols: readonly string[],
    readonly timeframe: string,
    state: StrategyStateStore,
    logSink: StrategyLogSink,
    /** What an exception a handler lets escape becomes. */
    private readonly failed: HandlerFailed,
    /** This strategy's sizer (the node's default when the deployment names none). */
    sizing: SizingSpec = node.sizing,
  ) {
    const clock = node.strategyClock ?? node.clock;
    this.clock = { now: () => clock.now() };
    this.warmUpState = new WarmUpStateStore(state);
    this.state = this.warmUpState;
    const at =
      (level: 'debug' | 'info' | 'warn' | 'error') => (msg: string, data?: Record<string, unknown>) =>
        logSink(level, strategyId, msg, data, clock.now());
    this.log = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
    const p = node.portfolio;
    this.portfolio = {
      currency: p.currency,
      cash: (c?: string) => p.cash(c ?? p.currency),
      available: (c?: string) => uncommittedCash(node, c ?? p.currency),
      equity: () => p.equity(),
      realizedPnl: () => p.ledger.realizedPnl(),
    };
    this.positions = new PositionViews(node);
    this.orders = new StrategyOrders(node, strategyId, sizing);
    this.refusals = new WarmUpRefusals(node, strategyId);
    this.timers = new StrategyTimers(clock, strategyId, (name, ts) => {
      try {
        this.owner().onTimer(name, ts);
      } catch (e) {
        this.failed('onTimer', undefined, ts, e);
      }
    });
  }

  /** Connects the strategy that owns this context (done once by the node). */
  bind(strategy: Strategy<unknown>): void {
    this.strategy = strategy;
  }

  /**
   * Disconnects a stopped strategy: its subscriptions and timers are removed and anything
   * still addressed to it goes to `inert`, so a stopped strategy never sees another bar.
   */
  detach(inert: Strategy<unknown>): void {
    for (const off of this.unsubscribes.splice(0)) off();
    this.timers.cancelAll();
    this.subscribed.clear();
    this.strategy = inert;
  }

  /**
   * A handler threw and the engine quarantines the instance: disconnected as on a stop, and
   * from now on every verb that would act (orders, cancels, amends, timers, subscriptions)
   * throws ERR_STRATEGY_QUARANTINED, so a handler still running when it was quarantined (its
   * onFill threw inside its own onBar's buy) acts no more. Reads still answer.
   */
  quarantine(inert: Strategy<unknown>, failure: StrategyFailure): void {
    this.failure = failure;
    this.detach(inert);
  }

  /** Refuses a verb of a quarantined instance (see `quarantine`). */
  private refuseIfQuarantined(verb: string): void {
    const f = this.failure;
    if (f === undefined) return;
    throw new QtsError(
      ERR_STRATEGY_QUARANTINED,
      `strategy ${this.strategyId} is quarantined since it failed in ${f.hook}: ${verb} refused`,
      { strategyId: this.strategyId, hook: f.hook },
    );
  }

  /**
   * Warm-up begins: the strategy is about to see recent history (bars that closed before the
   * engine started) to fill its indicators. Until `endWarmUp` its order verbs answer with an
   * order DENIED `ERR_WARMING_UP` that is neither sent, journaled nor published (cancel does
   * nothing, amend is REJECTED), its state writes are not persisted, and timers and alarms it
   * asks for are armed only when warm-up ends.
   */
  beginWarmUp(): void {
    this.warmingUp = true;
    this.warmUpState.begin();
  }

  /**
   * Warm-up is over: orders go out again, state writes persist (those made during warm-up are
   * dropped), and the timers asked for meanwhile are armed; an alarm whose time passed during
   * warm-up is dropped (it belonged to the history, where no order could be sent).
   */
  endWarmUp(): void {
    if (!this.warmingUp) return;
    this.warmingUp = false;
    this.warmUpState.end();
    this.timers.armDeferred(this.clock.now());
  }

  /** True while the strategy is fed history before live data (see beginWarmUp). */
  get isWarmingUp(): boolean {
    return this.warmingUp;
  }

  /**
   * Closed bars of its own timeframe, per symbol, this instance saw as history: a strategy
   * started (through the API) after part of the history was delivered saw only the rest.
   */
  get warmUpBars(): ReadonlyMap<string, number> {
    return this.warmUpBarsSeen;
  }

  instrument(symbol: string): Instrument {
    return this.node.instrument(symbol);
  }

  subscribeBars(symbol: string, timeframe: string): void {
    this.refuseIfQuarantined('subscribeBars');
    const key = `b|${symbol}|${timeframe}`;
    if (this.subscribed.has(key)) return;
    this.subscribed.add(key);
    this.node.instrument(symbol);
    this.node.data.requireBars(symbol, timeframe);
    const own = timeframe === this.timeframe;
    this.unsubscribes.push(
      this.node.bus.subscribe(barsTopic(symbol, timeframe), (bar) => {
        if (this.warmingUp && own)
          this.warmUpBarsSeen.set(symbol, (this.warmUpBarsSeen.get(symbol) ?? 0) + 1);
        try {
          this.owner().onBar(bar);
        } catch (e) {
          this.failed('onBar', symbol, bar.ts, e);
        }
      }),
      this.node.bus.subscribe(formingBarsTopic(symbol, timeframe), (bar) => {
        try {
          this.owner().onBarUpdate(bar);
        } catch (e) {
          this.failed('onBarUpdate', symbol, bar.ts, e);
        }
      }),
    );
  }

  subscribeTrades(symbol: string): void {
    this.refuseIfQuarantined('subscribeTrades');
    const key = `t|${symbol}`;
    if (this.subscribed.has(key)) return;
    this.subscribed.add(key);
    this.unsubscribes.push(
      this.node.bus.subscribe(tradesTopic(symbol), (trade) => {
        try {
          this.owner().onTrade(trade);
        } catch (e) {
          this.failed('onTrade', symbol, trade.ts, e);
        }
      }),
    );
  }

  lastPrice(symbol: string): number | undefined {
    return this.node.lastPrice(symbol);
  }

  markPrice(symbol: string): number | undefined {
    return this.node.markPrice(symbol);
  }

  fundingRate(symbol: string): number | undefined {
    return this.node.fundingRate(symbol);
  }

  position(symbol: string): PositionView {
    return this.positions.position(symbol);
  }

  openOrders(symbol?: string): readonly OrderView[] {
    return viewsOf(this.node.oms.openOrders(symbol, this.strategyId));
  }

  order(orderId: string): OrderView | undefined {
    // A read, so warm-up changes nothing; the journal is read only when memory has no answer.
    const order = this.node.oms.lookup(orderId);
    return order?.strategyId === this.strategyId ? order.view : undefined;
  }

  submitOrder(intent: OrderIntent): OrderView {
    this.refuseIfQuarantined('submitOrder');
    if (this.warmingUp) return this.refusals.order(intent.symbol, intent.side, intent, intent.quantity);
    return this.orders.submitOrder(intent);
  }

  buy(symbol: string, quantity?: Numeric, options: OrderOptions = {}): OrderView {
    this.refuseIfQuarantined('buy');
    if (this.warmingUp) return this.refusals.order(symbol, 'BUY', options, quantity);
    return this.orders.buy(symbol, quantity, options);
  }

  sell(symbol: string, quantity?: Numeric, options: OrderOptions = {}): OrderView {
    this.refuseIfQuarantined('sell');
    if (this.warmingUp) return this.refusals.order(symbol, 'SELL', options, quantity);
    return this.orders.sell(symbol, quantity, options);
  }

  bracket(intent: BracketIntent): Bracket {
    this.refuseIfQuarantined('bracket');
    if (this.warmingUp) return this.refusals.bracket(intent);
    return this.orders.bracket(intent);
  }

  cancel(orderId: string): void {
    this.refuseIfQuarantined('cancel');
    if (this.warmingUp) return;
    this.orders.cancel(orderId);
  }

  amend(orderId: string, change: AmendChange): AmendOutcome {
    this.refuseIfQuarantined('amend');
    if (this.warmingUp) return this.refusals.amend();
    return this.orders.amend(orderId, change);
  }

  cancelAll(symbol?: string): void {
    this.refuseIfQuarantined('cancelAll');
    if (this.warmingUp) return;
    this.orders.cancelAll(symbol);
  }

  closePosition(symbol: string): OrderView | undefined {
    this.refuseIfQuarantined('closePosition');
    const held = this.node.portfolio.positionQty(symbol);
    if (held === ZERO) return undefined;
    const side = held > 0n ? 'SELL' : 'BUY';
    // A long is sold less the coins its fee needs where the venue takes the fee in the base
    // coin (see sellableWithFee); a short is bought back whole.
    const qty = closingQty(this.node.instrument(symbol), held);
    if (this.warmingUp) return this.refusals.order(symbol, side, { reduceOnly: true, tag: 'close' }, qty);
    return this.orders.closePosition(symbol, side, qty);
  }

  setTimer(name: string, intervalMs: number): void {
    this.refuseIfQuarantined('setTimer');
    // Checked here, not by the clock, so a bad interval fails the same in every mode and while
    // warming up (when the timer is only armed later): see checkTimerInterval.
    checkTimerInterval(name, intervalMs);
    if (this.warmingUp) this.timers.deferTimer(name, intervalMs);
    else this.timers.setTimer(name, intervalMs);
  }

  setAlarm(name: string, at: Millis): void {
    this.refuseIfQuarantined('setAlarm');
    // A NaN time never fires in a backtest and fires at once live: refused in every mode.
    if (!Number.isFinite(at))
      throw new QtsError('ERR_TIMER_TIME', `alarm ${name}: time must be a finite epoch ms (got ${at})`);
    if (this.warmingUp) this.timers.deferAlarm(name, at);
    else this.timers.setAlarm(name, at);
  }

  cancelTimer(name: string): void {
    this.timers.cancel(name);
  }

  private owner(): Strategy<unknown> {
    if (!this.strategy)
      throw new QtsError('ERR_STRATEGY_UNBOUND', `context of ${this.strategyId} has no strategy`);
    return this.strategy;
  }
}
