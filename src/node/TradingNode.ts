import type { Fixed, Numeric } from '../core/Fixed.js';
import { IdGenerator } from '../core/ids.js';
import { QtsError } from '../core/QtsError.js';
import { DataEngine } from '../data/DataEngine.js';
import type { ExecutionClient } from '../execution/ExecutionClient.js';
import type { OrderJournal } from '../execution/ExecutionEngine.js';
import { ExecutionEngine } from '../execution/ExecutionEngine.js';
import type { Clock } from '../kernel/Clock.js';
import { MessageBus } from '../kernel/MessageBus.js';
import { ORDER_EVENTS } from '../kernel/topics.js';
import type { Bar, Trade } from '../model/Bar.js';
import type { OrderEvent, OrderFilled } from '../model/events.js';
import type { ClearingEvent } from '../model/futuresEvents.js';
import { ZERO, toNumber } from '../core/Fixed.js';
import type { Instrument } from '../model/Instrument.js';
import type { Order } from '../model/Order.js';
import type { AmendTerms } from '../model/OrderAmend.js';
import { amendedRequest } from '../model/OrderAmend.js';
import type { OrderRequest } from '../model/OrderRequest.js';
import { Portfolio } from '../portfolio/Portfolio.js';
import type { SizingSpec } from '../portfolio/Sizer.js';
import type { RiskLimits } from '../risk/preTradeRules.js';
import { RiskEngine } from '../risk/RiskEngine.js';
import type { AnyStrategyClass } from '../strategy/Strategy.js';
import { Strategy } from '../strategy/Strategy.js';
import type { StrategyStateStore } from '../strategy/StrategyContext.js';
import { MemoryStateStore } from './MemoryStateStore.js';
import { HeldOrderEvents } from './HeldOrderEvents.js';
import { NodeStrategyContext } from './NodeStrategyContext.js';
import type { StrategyLogSink } from './StrategyLogSink.js';
import { discardLogs } from './StrategyLogSink.js';

export interface TradingNodeOptions {
  readonly clock: Clock;
  readonly instruments: readonly Instrument[];
  /** Account currency: every instrument must settle in it. */
  readonly currency: string;
  readonly initialCash: Readonly<Record<string, Numeric>>;
  readonly sizing: SizingSpec;
  readonly riskLimits?: RiskLimits;
  /** When market data of a symbol last arrived (engine time), for the stale-data rule. */
  readonly lastDataAt?: (symbol: string) => number | undefined;
  /** Client order id prefix (≤12 alphanumerics). */
  readonly orderIdPrefix?: string;
  /** Client order ids already used (restart): numbering resumes after them, never reuses one. */
  readonly orderIdsUsed?: number;
  readonly journal?: OrderJournal;
  readonly logSink?: StrategyLogSink;
  readonly stateStore?: (strategyId: string) => StrategyStateStore;
  /**
   * Closed orders the OMS keeps in memory for lookups (at least; default 1024). Backtests
   * keep fewer: with no journal behind them, orders kept past their use only survive
   * collections and slow long runs.
   */
  readonly closedOrderMemory?: number;
}

/** One strategy instance to run: its class, validated params, symbols and primary timeframe. */
export interface StrategyDeployment {
  readonly id: string;
  readonly strategyClass: AnyStrategyClass;
  readonly params: unknown;
  readonly symbols: readonly string[];
  readonly timeframe: string;
  /** This strategy's sizer; the node's default when omitted. */
  readonly sizing?: SizingSpec;
}

/** A strategy instance as the node runs it. */
interface StrategyEntry {
  strategy: Strategy<unknown>;
  ctx: NodeStrategyContext;
  deployment: StrategyDeployment;
  /** False once stopped by a command: it sees no data and sends no orders until started again. */
  running: boolean;
  /** This instance ran through a warm-up (a strategy started again after it is a fresh, cold one). */
  warmedUp: boolean;
  /** Its order events that arrived before it could act on them (see HeldOrderEvents). */
  held: HeldOrderEvents;
}

/** What the node tells about one strategy instance. */
export interface StrategyInfo extends StrategyDeployment {
  readonly running: boolean;
  /** This instance was fed history before live data (beginWarmUp), running. */
  readonly warmedUp: boolean;
}

/** Where the open round trip of a symbol started: realized PnL then, fees paid since. */
interface RoundTripStart {
  open: boolean;
  realized: Fixed;
  fees: number;
}

/** Stands in for a stopped strategy: every handler does nothing. */
class InertStrategy extends Strategy<unknown> {}

/**
 * The kernel of one engine: bus, data engine, risk, OMS, portfolio and strategies, wired
 * the same way in every mode. The composition root gives it a clock and an execution
 * client (simulated venue or exchange) and feeds it market data; nothing in here knows
 * which mode it runs in.
 */
export class TradingNode {
  readonly bus = new MessageBus();
  readonly clock: Clock;
  readonly data: DataEngine;
  readonly oms: ExecutionEngine;
  readonly risk: RiskEngine;
  readonly portfolio: Portfolio;
  readonly sizing: SizingSpec;
  private readonly instruments = new Map<string, Instrument>();
  private readonly strategies = new Map<string, StrategyEntry>();
  /** When live market data of a symbol last arrived (the runtime's record; absent in backtests). */
  private readonly lastDataAt: ((symbol: string) => number | undefined) | undefined;
  private readonly logSink: StrategyLogSink;
  private readonly stateStore: (strategyId: string) => StrategyStateStore;
  private started = false;
  /** Strategies are being fed history before live data (beginWarmUp … endWarmUp). */
  private warmingUp = false;

  constructor(opts: TradingNodeOptions) {
    this.clock = opts.clock;
    this.sizing = opts.sizing;
    for (const inst of opts.instruments) this.instruments.set(inst.symbol, inst);
    this.data = new DataEngine(this.bus);
    this.portfolio = new Portfolio(opts.currency, opts.initialCash, (s) => this.instrument(s));
    this.oms = new ExecutionEngine(
      this.bus,
      this.clock,
      TradingNode.orderIds(opts.orderIdPrefix ?? 'Q', opts.orderIdsUsed ?? 0),
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
    this.lastDataAt = opts.lastDataAt;
    this.logSink = opts.logSink ?? discardLogs;
    this.stateStore = opts.stateStore ?? (() => new MemoryStateStore());
    // Fills reach the ledger before any strategy hears of them, so onFill sees the new position.
    this.bus.subscribe(ORDER_EVENTS, (e) => this.routeOrderEvent(e));
  }

  private static orderIds(prefix: string, used: number): IdGenerator {
    const ids = new IdGenerator(prefix);
    ids.resumeAfter(used);
    return ids;
  }

  /** Attaches the venue. */
  connect(client: ExecutionClient): (event: Parameters<ExecutionEngine['onReport']>[0]) => void {
    this.oms.connect(client);
    return (event) => this.oms.onReport(event);
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

  /**
   * A clearing event of the venue (perpetuals): a new mark price, a funding settlement or a
   * liquidation. It is booked first, then the strategies trading the symbol hear of it.
   */
  onClearing(event: ClearingEvent): void {
    if (event.type === 'MarkPriceUpdated') {
      this.portfolio.updateMarkPrice(event.symbol, event.price);
      return;
    }
    if (event.type === 'FundingSettled') {
      this.portfolio.applyFunding(event);
      this.fundingRates.set(event.symbol, toNumber(event.rate));
    } else {
      this.portfolio.applyLiquidation(event);
    }
    for (const { strategy, ctx, running } of this.strategies.values()) {
      if (!running || !ctx.symbols.includes(event.symbol)) continue;
      if (event.type === 'FundingSettled') strategy.onFunding(event);
      else strategy.onLiquidation(event);
    }
  }

  /** Adds a strategy instance; it starts with the node (or at once if the node runs). */
  addStrategy(d: StrategyDeployment): void {
    if (this.strategies.has(d.id))
      throw new QtsError('ERR_DUPLICATE_STRATEGY', `strategy id ${d.id} already added`);
    for (const s of d.symbols) this.instrument(s);
    const entry = this.instantiate(d);
    this.strategies.set(d.id, entry);
    if (this.started) entry.strategy.onStart();
  }

  /** A fresh instance of a deployment: new context (its state store reads the same saved state). */
  private instantiate(d: StrategyDeployment): StrategyEntry {
    const ctx = new NodeStrategyContext(
      this,
      d.id,
      d.symbols,
      d.timeframe,
      this.stateStore(d.id),
      this.logSink,
      d.sizing ?? this.sizing,
    );
    const Ctor = d.strategyClass as unknown as new (c: NodeStrategyContext, p: unknown) => Strategy<unknown>;
    const strategy = new Ctor(ctx, d.params);
    ctx.bind(strategy);
    // Started (through the API) while the others warm up: it warms up with them.
    if (this.warmingUp) ctx.beginWarmUp();
    return {
      strategy,
      ctx,
      deployment: d,
      running: true,
      warmedUp: this.warmingUp,
      held: new HeldOrderEvents(),
    };
  }

  /** The strategy instances, with their deployment and whether they run. */
  strategyInfos(): StrategyInfo[] {
    return [...this.strategies.values()].map((e) => ({
      ...e.deployment,
      running: e.running,
      warmedUp: e.warmedUp && e.running,
    }));
  }

  private entry(id: string): StrategyEntry {
    const e = this.strategies.get(id);
    if (!e) throw new QtsError('ERR_STRATEGY_NOT_FOUND', `no strategy instance "${id}" in this engine`);
    return e;
  }

  /**
   * Stops one strategy: it is told (onStop) and disconnected from data and timers. Its open
   * orders and positions stay; cancel or close them through the OMS if wanted. Order events
   * held for it (see routeOrderEvent) are dropped: a stopped strategy acts on nothing, and the
   * ledger and journal booked them when they arrived.
   */
  stopStrategy(id: string): void {
    const e = this.entry(id);
    if (!e.running) return;
    if (this.started) e.strategy.onStop();
    e.ctx.detach(new InertStrategy(e.ctx, {}));
    e.running = false;
    e.held = new HeldOrderEvents();
  }

  /**
   * Starts a stopped strategy as a fresh instance (its indicators warm up again from the
   * next bars; its saved state is kept).
   */
  startStrategy(id: string): void {
    const e = this.entry(id);
    if (e.running) return;
    const fresh = this.instantiate(e.deployment);
    this.strategies.set(id, fresh);
    if (this.started) fresh.strategy.onStart();
  }

  /**
   * Replaces a strategy's parameters (already validated by its schema): the instance is
   * rebuilt with them, and restarted if it was running. The rebuilt instance is the same
   * strategy with the same saved state: order events held for the old one are its now (the
   * saved parameters restored at start rebuild instances before any of them started).
   */
  updateStrategyParams(id: string, params: unknown): void {
    const e = this.entry(id);
    const wasRunning = e.running;
    const held = e.held;
    this.stopStrategy(id);
    const d = { ...e.deployment, params };
    if (!wasRunning) {
      this.strategies.set(id, { ...e, deployment: d });
      return;
    }
    const fresh = this.instantiate(d);
    fresh.held = held;
    this.strategies.set(id, fresh);
    if (this.started) fresh.strategy.onStart();
    this.releaseHeld(fresh);
  }

  /**
   * Strategies start (onStart). Order events that arrived for them before are handed over once
   * they may act on them: after their warm-up, at the first live data of their symbols (see
   * releaseHeld).
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const { strategy, running } of this.strategies.values()) if (running) strategy.onStart();
    for (const e of this.strategies.values()) this.releaseHeld(e);
  }

  stop(): void {
    if (!this.started) return;
    for (const { strategy, running } of this.strategies.values()) if (running) strategy.onStop();
    this.started = false;
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
    this.warmingUp = true;
    for (const e of this.strategies.values()) {
      e.ctx.beginWarmUp();
      // A strategy stopped (by a command before the last stop) sees no history.
      e.warmedUp = e.running;
    }
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
   * Warm-up is over: strategies send orders again from now on. The order events held for each
   * since before it started or during its warm-up are handed over, in arrival order, after its
   * last history bar and before it sees the first live price of its symbols (releaseHeld), so
   * what it sends in reaction goes out. A node stopped meanwhile hands nothing over.
   */
  endWarmUp(): void {
    if (!this.warmingUp) return;
    this.warmingUp = false;
    for (const { ctx } of this.strategies.values()) ctx.endWarmUp();
    for (const e of this.strategies.values()) this.releaseHeld(e);
  }

  /** Whether strategies are being warmed up on history. */
  get isWarmingUp(): boolean {
    return this.warmingUp;
  }

  /** A market bar from the feed: marks the portfolio, then strategies see it. */
  onBar(bar: Bar): void {
    this.portfolio.updatePrice(bar.symbol, bar.close);
    if (this.heldWaiting) this.liveData(bar.symbol);
    this.data.onBar(bar);
  }

  onTrade(trade: Trade): void {
    this.portfolio.updatePrice(trade.symbol, trade.price);
    if (this.heldWaiting) this.liveData(trade.symbol);
    this.data.onTrade(trade);
  }

  /**
   * Some strategy has order events held for it (see routeOrderEvent): only then do prices
   * look for them, so a backtest's bar pays one field read.
   */
  private heldWaiting = false;

  /**
   * A live price of `symbol` while order events are held: strategies trading it are handed
   * theirs, now that the risk engine and sizing judge what they send on a live price, before
   * they see that price themselves.
   */
  private liveData(symbol: string): void {
    let waiting = false;
    for (const e of this.strategies.values()) {
      if (e.ctx.symbols.includes(symbol)) this.releaseHeld(e);
      if (e.held.size > 0) waiting = true;
    }
    this.heldWaiting = waiting;
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
    for (const { strategy, ctx, running } of this.strategies.values()) {
      if (running && ctx.symbols.includes(symbol)) strategy.onDataStatus(symbol, stale);
    }
  }

  strategyIds(): string[] {
    return [...this.strategies.keys()];
  }

  /**
   * Realized PnL and fees of each symbol's position since it opened (loss streaks). One
   * record per symbol, reused for every round trip: a fill is a hot path in a backtest.
   */
  private readonly openedAt = new Map<string, RoundTripStart>();

  /**
   * Books a fill, and when it closes a position (back to flat) tells the risk engine how
   * that round trip ended, net of fees, for the consecutive-loss cooldown.
   */
  private bookFill(event: OrderFilled): void {
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
    if (event.fee !== ZERO) at.fees += toNumber(event.fee);
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

  /**
   * Books a fill at once, then tells the strategy that owns the order. A strategy that cannot
   * act on it yet — the node has not started it (events of the start: cancels resumed, a kill
   * switch held, fills reconciliation found), or it is warming up (its orders would be refused,
   * its state writes dropped) — is handed it later, in arrival order, once it can (`releaseHeld`);
   * events that arrive while some wait queue behind them.
   */
  private routeOrderEvent(event: OrderEvent): void {
    const order = this.oms.orderOf(event);
    if (!order) return;
    if (event.type === 'OrderFilled') this.bookFill(event);
    const entry = this.strategies.get(event.strategyId);
    if (!entry?.running) return;
    const held = entry.held;
    if (!this.started || entry.ctx.isWarmingUp || held.size > 0 || held.isReleasing) {
      held.hold(order, event);
      this.heldWaiting = true;
      return;
    }
    TradingNode.deliver(entry.strategy, order, event);
  }

  private static deliver(strategy: Strategy<unknown>, order: Order, event: OrderEvent): void {
    strategy.onOrderUpdate(order, event);
    if (event.type === 'OrderFilled') strategy.onFill(event, order);
  }

  /**
   * Hands a strategy the order events held for it once it may act on them: started, warmed up,
   * and live market data of one of its symbols arrived (before that, risk would deny an order
   * that adds risk for want of data, and sizing has no price to size on). Delivery stops if the
   * strategy is stopped meanwhile.
   */
  private releaseHeld(e: StrategyEntry): void {
    if (!this.started || !e.running || e.ctx.isWarmingUp || e.held.size === 0) return;
    if (!e.ctx.symbols.some((s) => this.hasLiveData(s))) return;
    e.held.release(
      (order, event) => TradingNode.deliver(e.strategy, order, event),
      () => this.started && e.running && this.strategies.get(e.deployment.id) === e,
    );
  }
}
