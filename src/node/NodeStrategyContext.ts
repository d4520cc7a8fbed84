import type { Fixed, Numeric } from '../core/Fixed.js';
import { ZERO, abs, floorToStep, neg, roundToStep, toFixed, toNumber, div } from '../core/Fixed.js';
import { QtsError, isQtsError } from '../core/QtsError.js';
import type { Millis } from '../core/time.js';
import { barsTopic, formingBarsTopic, tradesTopic } from '../kernel/topics.js';
import type { Instrument } from '../model/Instrument.js';
import { Order } from '../model/Order.js';
import type { OrderRequest } from '../model/OrderRequest.js';
import { OrderType } from '../model/enums.js';
import type { OrderSide } from '../model/enums.js';
import { sizeOrder } from '../portfolio/Sizer.js';
import type { Strategy } from '../strategy/Strategy.js';
import type { AmendOutcome, AmendTerms } from '../model/OrderAmend.js';
import { lastAmendOutcome } from '../model/OrderAmend.js';
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
import type { MessageBus } from '../kernel/MessageBus.js';
import type { Clock } from '../kernel/Clock.js';
import type { DataEngine } from '../data/DataEngine.js';
import type { ExecutionEngine } from '../execution/ExecutionEngine.js';
import type { Portfolio } from '../portfolio/Portfolio.js';
import type { PositionState } from '../portfolio/Ledger.js';
import type { SizingSpec } from '../portfolio/Sizer.js';
import { WarmUpStateStore } from './WarmUpStateStore.js';

/** Reason code of an order a strategy asked for while warming up: refused, never sent or journaled. */
export const ERR_WARMING_UP = 'ERR_WARMING_UP';

/** A timer or alarm a strategy asked for while warming up, armed when warm-up ends. */
type DeferredTimer =
  { readonly kind: 'timer'; readonly intervalMs: number } | { readonly kind: 'alarm'; readonly at: Millis };

/** What a strategy context needs of its engine (the TradingNode provides it). */
export interface ContextHost {
  readonly bus: MessageBus;
  readonly clock: Clock;
  readonly data: DataEngine;
  readonly oms: ExecutionEngine;
  readonly portfolio: Portfolio;
  readonly sizing: SizingSpec;
  instrument(symbol: string): Instrument;
  lastPrice(symbol: string): number | undefined;
  /** Perpetuals: mark price (the last price when no mark is known). */
  markPrice(symbol: string): number | undefined;
  /** Perpetuals: last settled funding rate. */
  fundingRate(symbol: string): number | undefined;
  submit(strategyId: string, request: OrderRequest): Order;
  deny(strategyId: string, request: OrderRequest, code: string, reason: string): Order;
  amend(orderId: string, terms: AmendTerms, reason: string): Order;
}

/** An order price as given, or rounded to the tick (the convenience verbs round). */
function toPrice(v: Numeric | undefined, round: boolean, tick: Fixed): Fixed | undefined {
  if (v === undefined) return undefined;
  const f = toFixed(v);
  return round ? roundToStep(f, tick) : f;
}

/**
 * The StrategyContext a TradingNode hands each strategy. The convenience verbs (buy, sell,
 * bracket, closePosition) round quantities down to the lot and prices to the tick, as a
 * trader expects; `submitOrder` passes amounts as given, so the risk engine's precision
 * check still guards hand-built orders.
 */
export class NodeStrategyContext implements StrategyContext {
  readonly clock: { now(): Millis };
  readonly log: StrategyLogger;
  readonly portfolio: PortfolioView;
  private strategy: Strategy<unknown> | undefined;
  private readonly subscribed = new Set<string>();
  private ocoSeq = 0;
  /** Bus subscriptions and timer names this context made, undone by `detach`. */
  private readonly unsubscribes: (() => void)[] = [];
  private readonly timers = new Set<string>();
  /** The last position view given out per symbol, with the ledger state it shows. */
  private readonly positionViews = new Map<string, { state: PositionState; view: PositionView }>();
  readonly state: StrategyStateStore;
  private readonly warmUpState: WarmUpStateStore;
  /** Warm-up (see beginWarmUp): order verbs refuse, state writes stay in memory, timers wait. */
  private warmingUp = false;
  private warmUpOrders = 0;
  private readonly deferredTimers = new Map<string, DeferredTimer>();

  constructor(
    private readonly node: ContextHost,
    readonly strategyId: string,
    readonly symbols: readonly string[],
    readonly timeframe: string,
    state: StrategyStateStore,
    logSink: StrategyLogSink,
    /** This strategy's sizer (the node's default when the deployment names none). */
    private readonly sizing: SizingSpec = node.sizing,
  ) {
    this.clock = { now: () => node.clock.now() };
    this.warmUpState = new WarmUpStateStore(state);
    this.state = this.warmUpState;
    const at =
      (level: 'debug' | 'info' | 'warn' | 'error') => (msg: string, data?: Record<string, unknown>) =>
        logSink(level, strategyId, msg, data, node.clock.now());
    this.log = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
    const p = node.portfolio;
    this.portfolio = {
      currency: p.currency,
      cash: (c?: string) => p.cash(c ?? p.currency),
      available: (c?: string) => p.cash(c ?? p.currency),
      equity: () => p.equity(),
      realizedPnl: () => p.ledger.realizedPnl(),
    };
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
    for (const name of this.timers) this.node.clock.cancelTimer(this.timerKey(name));
    this.timers.clear();
    this.deferredTimers.clear();
    this.subscribed.clear();
    this.strategy = inert;
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
    const now = this.node.clock.now();
    for (const [name, t] of this.deferredTimers) {
      if (t.kind === 'timer') this.setTimer(name, t.intervalMs);
      else if (t.at > now) this.setAlarm(name, t.at);
    }
    this.deferredTimers.clear();
  }

  /** True while the strategy is fed history before live data (see beginWarmUp). */
  get isWarmingUp(): boolean {
    return this.warmingUp;
  }

  instrument(symbol: string): Instrument {
    return this.node.instrument(symbol);
  }

  subscribeBars(symbol: string, timeframe: string): void {
    const key = `b|${symbol}|${timeframe}`;
    if (this.subscribed.has(key)) return;
    this.subscribed.add(key);
    this.node.instrument(symbol);
    this.node.data.requireBars(symbol, timeframe);
    this.unsubscribes.push(
      this.node.bus.subscribe(barsTopic(symbol, timeframe), (bar) => this.owner().onBar(bar)),
      this.node.bus.subscribe(formingBarsTopic(symbol, timeframe), (bar) => this.owner().onBarUpdate(bar)),
    );
  }

  subscribeTrades(symbol: string): void {
    const key = `t|${symbol}`;
    if (this.subscribed.has(key)) return;
    this.subscribed.add(key);
    this.unsubscribes.push(
      this.node.bus.subscribe(tradesTopic(symbol), (trade) => this.owner().onTrade(trade)),
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
    const pos = this.node.portfolio.ledger.position(symbol);
    // The ledger replaces a position's state on every fill, so a view made from the same
    // state is still true: strategies ask on every signal, fills are rarer.
    const cached = this.positionViews.get(symbol);
    if (cached !== undefined && cached.state === pos) return cached.view;
    // Less than one lot cannot be traded: the dust a fee taken from the coin bought leaves
    // (buy 100, hold 99.9, sell 99) counts as flat, or a long/flat strategy never buys again.
    // Positions built from whole lots are never dust, so backtests see no difference.
    const dust = pos.qty !== ZERO && abs(pos.qty) < this.node.instrument(symbol).lotSize;
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
    if (cached === undefined) this.positionViews.set(symbol, { state: pos, view });
    else {
      cached.state = pos;
      cached.view = view;
    }
    return view;
  }

  openOrders(symbol?: string): readonly Order[] {
    return this.node.oms.openOrders(symbol, this.strategyId);
  }

  // The order verbs below catch in place rather than through a wrapper taking a closure:
  // they run once per order, and the closure would be one more allocation on that path.

  submitOrder(intent: OrderIntent): Order {
    if (this.warmingUp) return this.refusedWhileWarming(intent.symbol, intent.side, intent, intent.quantity);
    try {
      const quantity = toFixed(intent.quantity);
      return this.node.submit(
        this.strategyId,
        this.toRequest(intent.symbol, intent.side, intent, quantity, false),
      );
    } catch (e) {
      return this.invalidNumber(e, intent.symbol, intent.side);
    }
  }

  buy(symbol: string, quantity?: Numeric, options: OrderOptions = {}): Order {
    if (this.warmingUp) return this.refusedWhileWarming(symbol, 'BUY', options, quantity);
    try {
      const qty = quantity === undefined ? this.sizedQuantity(symbol) : toFixed(quantity);
      return this.place(symbol, 'BUY', qty, options);
    } catch (e) {
      return this.invalidNumber(e, symbol, 'BUY');
    }
  }

  sell(symbol: string, quantity?: Numeric, options: OrderOptions = {}): Order {
    if (this.warmingUp) return this.refusedWhileWarming(symbol, 'SELL', options, quantity);
    try {
      const held = this.node.portfolio.positionQty(symbol);
      const qty = quantity === undefined ? (held > 0n ? held : ZERO) : toFixed(quantity);
      return this.place(symbol, 'SELL', qty, options);
    } catch (e) {
      return this.invalidNumber(e, symbol, 'SELL');
    }
  }

  /**
   * An amount that is not a number (NaN, Infinity, "abc") is a bad order, not a crash:
   * it becomes an order denied with ERR_RISK_INVALID_NUMBER, like any other denial.
   */
  private invalidNumber(e: unknown, symbol: string, side: OrderSide): Order {
    if (!isQtsError(e, 'ERR_INVALID_DECIMAL')) throw e;
    const request = this.toRequest(symbol, side, {}, ZERO, false);
    return this.node.deny(this.strategyId, request, 'ERR_RISK_INVALID_NUMBER', e.message);
  }

  bracket(intent: BracketIntent): Bracket {
    if (this.warmingUp) {
      const exitSide: OrderSide = intent.side === 'BUY' ? 'SELL' : 'BUY';
      return {
        entry: this.refusedWhileWarming(
          intent.symbol,
          intent.side,
          { price: intent.entryPrice },
          intent.quantity,
        ),
        stopLoss: this.refusedWhileWarming(
          intent.symbol,
          exitSide,
          { type: OrderType.STOP_MARKET, triggerPrice: intent.stopLoss, reduceOnly: true },
          intent.quantity,
        ),
        takeProfit: this.refusedWhileWarming(
          intent.symbol,
          exitSide,
          { type: OrderType.LIMIT, price: intent.takeProfit, reduceOnly: true },
          intent.quantity,
        ),
      };
    }
    const qty = intent.quantity === undefined ? this.sizedQuantity(intent.symbol) : toFixed(intent.quantity);
    const exit: OrderSide = intent.side === 'BUY' ? 'SELL' : 'BUY';
    const entry = this.place(intent.symbol, intent.side, qty, {
      type: intent.entryPrice === undefined ? OrderType.MARKET : OrderType.LIMIT,
      ...(intent.entryPrice === undefined ? {} : { price: intent.entryPrice }),
      ...(intent.tag === undefined ? {} : { tag: intent.tag }),
    });
    this.ocoSeq += 1;
    const group = `${entry.id}-oco${this.ocoSeq}`;
    const child = { parentId: entry.id, ocoGroup: group, reduceOnly: true };
    const stopLoss = this.place(intent.symbol, exit, qty, {
      ...child,
      type: OrderType.STOP_MARKET,
      triggerPrice: intent.stopLoss,
    });
    const takeProfit = this.place(intent.symbol, exit, qty, {
      ...child,
      type: OrderType.LIMIT,
      price: intent.takeProfit,
    });
    return { entry, stopLoss, takeProfit };
  }

  cancel(orderId: string): void {
    if (this.warmingUp) return;
    const order = this.node.oms.order(orderId);
    if (order && order.strategyId === this.strategyId) this.node.oms.cancel(orderId, 'canceled by strategy');
  }

  amend(orderId: string, change: AmendChange): AmendOutcome {
    if (this.warmingUp)
      return { status: 'REJECTED', code: ERR_WARMING_UP, reason: `${this.strategyId} is warming up` };
    const order = this.node.oms.order(orderId);
    if (order === undefined || order.strategyId !== this.strategyId)
      return {
        status: 'REJECTED',
        code: 'ERR_ORDER_NOT_FOUND',
        reason: `${this.strategyId} has no order ${orderId}`,
      };
    try {
      const terms: AmendTerms = {
        price: change.price === undefined ? undefined : toFixed(change.price),
        quantity: change.quantity === undefined ? undefined : toFixed(change.quantity),
      };
      return (
        lastAmendOutcome(this.node.amend(orderId, terms, 'amended by strategy').events) ?? {
          status: 'PENDING',
        }
      );
    } catch (e) {
      // A refused amend (bad number, closed order, venue without amend) is an answer, not a crash.
      if (!isQtsError(e)) throw e;
      return { status: 'REJECTED', code: e.code, reason: e.message };
    }
  }

  cancelAll(symbol?: string): void {
    if (this.warmingUp) return;
    for (const o of this.openOrders(symbol)) this.node.oms.cancel(o.id, 'canceled by strategy');
  }

  closePosition(symbol: string): Order | undefined {
    const qty = this.node.portfolio.positionQty(symbol);
    if (qty === ZERO) return undefined;
    if (this.warmingUp)
      return this.refusedWhileWarming(
        symbol,
        qty > 0n ? 'SELL' : 'BUY',
        { reduceOnly: true, tag: 'close' },
        abs(qty),
      );
    return this.place(symbol, qty > 0n ? 'SELL' : 'BUY', abs(qty), { reduceOnly: true, tag: 'close' });
  }

  setTimer(name: string, intervalMs: number): void {
    if (this.warmingUp) {
      this.deferredTimers.set(name, { kind: 'timer', intervalMs });
      return;
    }
    this.timers.add(name);
    this.node.clock.setTimer(this.timerKey(name), intervalMs, (_n, ts) => this.owner().onTimer(name, ts));
  }

  setAlarm(name: string, at: Millis): void {
    if (this.warmingUp) {
      this.deferredTimers.set(name, { kind: 'alarm', at });
      return;
    }
    this.timers.add(name);
    this.node.clock.setAlarm(this.timerKey(name), at, (_n, ts) => this.owner().onTimer(name, ts));
  }

  cancelTimer(name: string): void {
    this.deferredTimers.delete(name);
    this.node.clock.cancelTimer(this.timerKey(name));
  }

  /**
   * An order asked for during warm-up: DENIED with ERR_WARMING_UP, built here and never
   * handed to the OMS, so it takes no client order id, reaches no venue, journal or
   * subscriber, and counts against no risk limit. Its id is local to this strategy.
   */
  private refusedWhileWarming(
    symbol: string,
    side: OrderSide,
    options: OrderOptions,
    quantity: Numeric | undefined,
  ): Order {
    let qty = ZERO;
    try {
      if (quantity !== undefined) qty = abs(toFixed(quantity));
    } catch (e) {
      if (!isQtsError(e, 'ERR_INVALID_DECIMAL')) throw e;
    }
    let request: OrderRequest;
    try {
      request = this.toRequest(symbol, side, options, qty, false);
    } catch (e) {
      // A bad price is refused for warming up all the same: the code that matters now.
      if (!isQtsError(e, 'ERR_INVALID_DECIMAL')) throw e;
      request = this.toRequest(symbol, side, {}, qty, false);
    }
    this.warmUpOrders += 1;
    const now = this.node.clock.now();
    const order = new Order(`${this.strategyId}-warmup-${this.warmUpOrders}`, this.strategyId, request, now);
    const about = { orderId: order.id, strategyId: this.strategyId, symbol, ts: now };
    order.apply({ type: 'OrderInitialized', request, ...about, eventId: `${order.id}-0` });
    order.apply({
      type: 'OrderDenied',
      code: ERR_WARMING_UP,
      reason: `${this.strategyId} is warming up on history: orders go out from the first live bar`,
      ...about,
      eventId: `${order.id}-1`,
    });
    return order;
  }

  private place(symbol: string, side: OrderSide, qty: Fixed, options: OrderOptions): Order {
    const inst = this.node.instrument(symbol);
    const rounded = floorToStep(qty < 0n ? neg(qty) : qty, inst.lotSize);
    return this.node.submit(this.strategyId, this.toRequest(symbol, side, options, rounded, true));
  }

  private toRequest(
    symbol: string,
    side: OrderSide,
    o: OrderOptions,
    quantity: Fixed,
    roundPrices: boolean,
  ): OrderRequest {
    const inst = this.node.instrument(symbol);
    const price = toPrice(o.price, roundPrices, inst.tickSize);
    const triggerPrice = toPrice(o.triggerPrice, roundPrices, inst.tickSize);
    return {
      symbol,
      side,
      type: o.type ?? (o.price === undefined ? OrderType.MARKET : OrderType.LIMIT),
      quantity,
      price,
      triggerPrice,
      trailingPct: o.trailingPct === undefined ? undefined : toFixed(o.trailingPct),
      timeInForce: o.timeInForce ?? 'GTC',
      postOnly: o.postOnly ?? false,
      reduceOnly: o.reduceOnly ?? false,
      ocoGroup: o.ocoGroup,
      parentId: o.parentId,
      tag: o.tag,
    };
  }

  private sizedQuantity(symbol: string): Fixed {
    const price = this.node.lastPrice(symbol);
    if (price === undefined) return ZERO;
    const inst = this.node.instrument(symbol);
    const perpetual = inst.kind === 'PERPETUAL';
    const margin = this.node.portfolio.margin;
    return sizeOrder(this.sizing, {
      instrument: inst,
      price,
      // Perpetuals are sized on margin: what is free of it, at the symbol's leverage.
      cash: perpetual ? margin.availableBalance(inst.settle) : this.node.portfolio.cash(inst.settle),
      equity: this.node.portfolio.equity(),
      ...(perpetual ? { leverage: margin.settings(symbol).leverage } : {}),
    });
  }

  private timerKey(name: string): string {
    return `${this.strategyId}:${name}`;
  }

  private owner(): Strategy<unknown> {
    if (!this.strategy)
      throw new QtsError('ERR_STRATEGY_UNBOUND', `context of ${this.strategyId} has no strategy`);
    return this.strategy;
  }
}
