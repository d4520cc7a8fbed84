import type { Fixed } from '../core/Fixed.js';
import { toNumber } from '../core/Fixed.js';
import { IdGenerator } from '../core/ids.js';
import { QtsError } from '../core/QtsError.js';
import { DataEngine } from '../data/DataEngine.js';
import type { ExecutionClient } from '../execution/ExecutionClient.js';
import { ExecutionEngine } from '../execution/ExecutionEngine.js';
import type { Clock } from '../kernel/Clock.js';
import { MessageBus } from '../kernel/MessageBus.js';
import { ORDER_EVENTS } from '../kernel/topics.js';
import type { Bar, Trade } from '../model/Bar.js';
import type { ClearingEvent } from '../model/futuresEvents.js';
import type { Instrument } from '../model/Instrument.js';
import type { Order } from '../model/Order.js';
import type { AmendTerms } from '../model/OrderAmend.js';
import { amendedRequest } from '../model/OrderAmend.js';
import type { OrderRequest } from '../model/OrderRequest.js';
import { Portfolio } from '../portfolio/Portfolio.js';
import type { SizingSpec } from '../portfolio/Sizer.js';
import { RiskEngine } from '../risk/RiskEngine.js';
import { FillBooking } from './FillBooking.js';
import { MemoryStateStore } from './MemoryStateStore.js';
import { OrderEventRouter } from './OrderEventRouter.js';
import { discardLogs } from './StrategyLogSink.js';
import type { StrategyDeployment, StrategyInfo } from './StrategyRegistry.js';
import { StrategyRegistry } from './StrategyRegistry.js';
import type { TradingNodeOptions } from './TradingNodeOptions.js';

// What the node is built from, runs and tells about its strategies: callers import them with the node.
export type { StrategyDeployment, StrategyInfo } from './StrategyRegistry.js';
export type { StrategyFailure } from './strategyFailed.js';
export type { TradingNodeOptions } from './TradingNodeOptions.js';

/**
 * The kernel of one engine: bus, data engine, risk, OMS, portfolio and strategies, wired
 * the same way in every mode. The composition root gives it a clock and an execution
 * client (simulated venue or exchange) and feeds it market data; nothing in here knows
 * which mode it runs in.
 */
export class TradingNode {
  readonly bus = new MessageBus();
  readonly clock: Clock;
  readonly strategyClock: Clock;
  readonly data: DataEngine;
  readonly oms: ExecutionEngine;
  readonly risk: RiskEngine;
  readonly portfolio: Portfolio;
  readonly sizing: SizingSpec;
  readonly sizingPrice: ((instrument: Instrument, price: Fixed) => Fixed) | undefined;
  private readonly instruments = new Map<string, Instrument>();
  /** The strategy instances and their lifecycle (start, stop, new params, warm-up). */
  private readonly strategies: StrategyRegistry;
  /** Takes order events to their strategies, holding those a strategy cannot act on yet. */
  private readonly orderEvents: OrderEventRouter;
  /** Books fills and liquidations, and ends round trips for the loss streaks. */
  private readonly booking: FillBooking;

  constructor(opts: TradingNodeOptions) {
    this.clock = opts.clock;
    this.strategyClock = opts.strategyClock ?? opts.clock;
    this.sizing = opts.sizing;
    this.sizingPrice = opts.sizingPrice;
    for (const inst of opts.instruments) this.instruments.set(inst.symbol, inst);
    this.data = new DataEngine(this.bus);
    this.portfolio = new Portfolio(opts.currency, opts.initialCash, (s) => this.instrument(s));
    this.oms = new ExecutionEngine(
      this.bus,
      this.clock,
      TradingNode.orderIds(opts.orderIdPrefix ?? 'Q', opts.orderIdsUsed ?? 0, opts.reserveOrderIds),
      opts.journal,
      opts.closedOrderMemory,
    );
    this.risk = new RiskEngine(
      {
        instrument: (s) => this.instrument(s),
        lastPrice: (s) => this.lastPrice(s),
        positionQty: (s) => this.portfolio.positionQty(s),
        cash: (c) => this.portfolio.cash(c),
        openOrders: () => this.oms.openOrders(),
        now: () => this.clock.now(),
        positions: () => this.portfolio.ledger.allPositions(),
        ...(opts.lastDataAt === undefined ? {} : { lastDataAt: opts.lastDataAt }),
      },
      opts.riskLimits,
    );
    this.strategies = new StrategyRegistry({
      host: this,
      stateStore: opts.stateStore ?? (() => new MemoryStateStore()),
      logSink: opts.logSink ?? discardLogs,
      releaseHeld: (e) => this.orderEvents.releaseHeld(e),
      onFailure: opts.onStrategyFailure,
      onEngineFault: opts.onEngineFault,
    });
    this.booking = new FillBooking(this.portfolio, this.risk, this.clock);
    this.orderEvents = new OrderEventRouter(
      this.strategies,
      this.oms,
      this.booking,
      this.portfolio,
      opts.lastDataAt,
    );
    // Fills reach the ledger before any strategy hears of them, so onFill sees the new position.
    this.bus.subscribe(ORDER_EVENTS, (e) => {
      if (this.orderEvents.route(e)) this.heldWaiting = true;
    });
  }

  private static orderIds(
    prefix: string,
    used: number,
    reserve: ((seq: number) => number) | undefined,
  ): IdGenerator {
    const ids = new IdGenerator(prefix);
    ids.resumeAfter(used);
    if (reserve !== undefined) ids.bound(used, reserve);
    return ids;
  }

  /** Attaches the venue. */
  connect(client: ExecutionClient): (event: Parameters<ExecutionEngine['onReport']>[0]) => void {
    this.oms.connect(client);
    return (event) => this.oms.onReport(event);
  }

  /** Whether this node lists `symbol` (its strategies trade it). */
  trades(symbol: string): boolean {
    return this.instruments.has(symbol);
  }

  instrument(symbol: string): Instrument {
    const inst = this.instruments.get(symbol);
    if (!inst) throw new QtsError('ERR_UNKNOWN_SYMBOL', `unknown symbol ${symbol}`);
    return inst;
  }

  lastPrice(symbol: string): number | undefined {
    return this.portfolio.lastPrice(symbol);
  }

  /** Perpetuals: the mark margin is valued at (the last price until the venue publishes one). */
  markPrice(symbol: string): number | undefined {
    return this.portfolio.markPrice(symbol);
  }

  /** Perpetuals: the last funding rate the venue settled for `symbol`. */
  fundingRate(symbol: string): number | undefined {
    return this.fundingRates.get(symbol);
  }

  private readonly fundingRates = new Map<string, number>();

  /** A restart's open position goes on as a round trip (loss streaks): see FillBooking.resumeOpen. */
  resumeRoundTrip(symbol: string, strategyId: string, feesSoFar: number): void {
    this.booking.resumeOpen(symbol, strategyId, feesSoFar);
  }

  /**
   * A clearing event of the venue (perpetuals): a new mark price, a funding settlement or a
   * liquidation. It is booked first, then the strategies trading the symbol hear of it.
   */
  onClearing(event: ClearingEvent): void {
    if (event.type === 'MarkPriceUpdated') {
      this.portfolio.updateMarkPrice(event.symbol, event.price);
      return;
    }
    // Strategies are handed the event itself (onFunding, onLiquidation): frozen, like order
    // events, so one written in JavaScript cannot rewrite what the run records of it.
    Object.freeze(event);
    if (event.type === 'PositionLiquidated' && event.trades !== undefined) {
      for (const t of event.trades) Object.freeze(t);
      Object.freeze(event.trades);
    }
    if (event.type === 'FundingSettled') {
      this.portfolio.applyFunding(event);
      this.fundingRates.set(event.symbol, toNumber(event.rate));
    } else {
      // Booked like a losing fill: it ends the round trip in the loss streak of its strategy.
      this.booking.bookLiquidation(event);
    }
    const hook = event.type === 'FundingSettled' ? 'onFunding' : 'onLiquidation';
    for (const e of this.strategies.values()) {
      if (!e.running || !e.ctx.symbols.includes(event.symbol)) continue;
      try {
        if (event.type === 'FundingSettled') e.strategy.onFunding(event);
        else e.strategy.onLiquidation(event);
      } catch (err) {
        this.strategies.fail(e, hook, event.symbol, event.ts, err);
      }
    }
  }

  /** Adds a strategy instance; it starts with the node (or at once if the node runs). */
  addStrategy(d: StrategyDeployment): void {
    this.strategies.addStrategy(d);
  }

  /** The strategy instances, with their deployment and whether they run. */
  strategyInfos(): StrategyInfo[] {
    return this.strategies.strategyInfos();
  }

  /**
   * Stops one strategy: it is told (onStop) and disconnected from data and timers. Its open
   * orders and positions stay; cancel or close them through the OMS if wanted. Order events
   * held for it are dropped (see StrategyRegistry.stopStrategy).
   */
  stopStrategy(id: string): void {
    this.strategies.stopStrategy(id);
  }

  /**
   * Starts a stopped strategy as a fresh instance (its indicators warm up again from the
   * next bars; its saved state is kept).
   */
  startStrategy(id: string): void {
    this.strategies.startStrategy(id);
  }

  /**
   * Replaces a strategy's parameters (already validated by its schema): the instance is
   * rebuilt with them, and restarted if it was running (see StrategyRegistry.updateStrategyParams).
   */
  updateStrategyParams(id: string, params: unknown): void {
    this.strategies.updateStrategyParams(id, params);
  }

  /**
   * Strategies start (onStart). Order events that arrived for them before are handed over once
   * they may act on them: after their warm-up, at the first live data of their symbols (see
   * OrderEventRouter.releaseHeld).
   */
  start(): void {
    this.strategies.start();
  }

  stop(): void {
    this.strategies.stop();
  }

  /** Declares a feed's base timeframe for a symbol (before the first bar). */
  registerFeed(symbol: string, timeframe: string): void {
    this.data.registerBase(symbol, timeframe);
  }

  /**
   * Warm-up begins (before `start`, so timers strategies set in onStart wait too): every
   * strategy, and any started until `endWarmUp`, refuses its own orders with ERR_WARMING_UP
   * and keeps its state writes in memory (NodeStrategyContext.beginWarmUp). Feed it history
   * with `warmUpBar`.
   */
  beginWarmUp(): void {
    this.strategies.beginWarmUp();
  }

  /**
   * A closed bar of history for the strategies: through the data engine (so higher timeframes
   * are built from it as from live bars) to the subscribed strategies, and nowhere else. It
   * marks no price: the portfolio, risk (price band, sizing), equity and breakers keep the
   * live prices, so a held position is never revalued at an old close; the venue never sees it.
   */
  warmUpBar(bar: Bar): void {
    this.data.onBar(bar);
  }

  /**
   * Warm-up is over: strategies send orders again from now on, and are handed the order events
   * held for them before their first live price (see StrategyRegistry.endWarmUp).
   */
  endWarmUp(): void {
    this.strategies.endWarmUp();
  }

  /** Whether strategies are being warmed up on history. */
  get isWarmingUp(): boolean {
    return this.strategies.isWarmingUp;
  }

  /** A market bar from the feed: marks the portfolio, then strategies see it. */
  onBar(bar: Bar): void {
    this.portfolio.updatePrice(bar.symbol, bar.close);
    if (this.heldWaiting) this.heldWaiting = this.orderEvents.liveData(bar.symbol);
    this.data.onBar(bar);
  }

  onTrade(trade: Trade): void {
    this.portfolio.updatePrice(trade.symbol, trade.price);
    if (this.heldWaiting) this.heldWaiting = this.orderEvents.liveData(trade.symbol);
    this.data.onTrade(trade);
  }

  /**
   * Some strategy has order events held for it (see OrderEventRouter): only then do prices
   * look for them, so a backtest's bar pays one field read.
   */
  private heldWaiting = false;

  /** Every order from any source goes here: OMS names it, risk judges it, then it goes out. */
  submit(strategyId: string, request: OrderRequest): Order {
    const order = this.oms.create(strategyId, request);
    const denial = this.risk.check(order);
    if (denial) this.oms.deny(order, denial.code, denial.reason);
    else this.oms.send(order);
    return order;
  }

  /**
   * Amends a resting order: the OMS checks the terms (coded error when they cannot apply:
   * unknown or closed order, unsupported venue, amend pending, quantity raised or not above
   * the filled part), risk judges the amended terms like a new order, then the OMS journals
   * the intent and asks the venue. A risk denial or a venue refusal ends as OrderAmendRejected
   * with its code, the order unchanged; see `amendOutcome` for what became of it.
   */
  amend(orderId: string, terms: AmendTerms, reason: string): Order {
    const order = this.oms.amendable(orderId, terms);
    const denial = this.risk.checkAmend(order, amendedRequest(order.request, terms));
    if (denial) this.oms.rejectAmend(order, denial.code, denial.reason);
    else this.oms.amend(order, terms, reason);
    return order;
  }

  /** Records an order that could not even be formed (bad numbers) as denied with `code`. */
  deny(strategyId: string, request: OrderRequest, code: string, reason: string): Order {
    const order = this.oms.create(strategyId, request);
    this.oms.deny(order, code, reason);
    return order;
  }

  /** Tells the strategies trading `symbol` that its market data went stale or is fresh again. */
  notifyDataStatus(symbol: string, stale: boolean): void {
    for (const e of this.strategies.values()) {
      if (!e.running || !e.ctx.symbols.includes(symbol)) continue;
      try {
        e.strategy.onDataStatus(symbol, stale);
      } catch (err) {
        this.strategies.fail(e, 'onDataStatus', symbol, this.clock.now(), err);
      }
    }
  }

  strategyIds(): string[] {
    return this.strategies.strategyIds();
  }
}
