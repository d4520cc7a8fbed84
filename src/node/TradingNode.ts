import type { Numeric } from '../core/Fixed.js';
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
import { ZERO, toNumber } from '../core/Fixed.js';
import type { Instrument } from '../model/Instrument.js';
import type { Order } from '../model/Order.js';
import type { OrderRequest } from '../model/OrderRequest.js';
import { Portfolio } from '../portfolio/Portfolio.js';
import type { SizingSpec } from '../portfolio/Sizer.js';
import type { RiskLimits } from '../risk/preTradeRules.js';
import { RiskEngine } from '../risk/RiskEngine.js';
import type { AnyStrategyClass, Strategy } from '../strategy/Strategy.js';
import type { StrategyStateStore } from '../strategy/StrategyContext.js';
import { MemoryStateStore } from './MemoryStateStore.js';
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
  private readonly strategies = new Map<string, { strategy: Strategy<unknown>; ctx: NodeStrategyContext }>();
  private readonly logSink: StrategyLogSink;
  private readonly stateStore: (strategyId: string) => StrategyStateStore;
  private started = false;

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

  /** Adds a strategy instance; it starts with the node (or at once if the node runs). */
  addStrategy(d: StrategyDeployment): void {
    if (this.strategies.has(d.id))
      throw new QtsError('ERR_DUPLICATE_STRATEGY', `strategy id ${d.id} already added`);
    for (const s of d.symbols) this.instrument(s);
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
    this.strategies.set(d.id, { strategy, ctx });
    if (this.started) strategy.onStart();
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const { strategy } of this.strategies.values()) strategy.onStart();
  }

  stop(): void {
    if (!this.started) return;
    for (const { strategy } of this.strategies.values()) strategy.onStop();
    this.started = false;
  }

  /** Declares a feed's base timeframe for a symbol (before the first bar). */
  registerFeed(symbol: string, timeframe: string): void {
    this.data.registerBase(symbol, timeframe);
  }

  /** A market bar from the feed: marks the portfolio, then strategies see it. */
  onBar(bar: Bar): void {
    this.portfolio.updatePrice(bar.symbol, bar.close);
    this.data.onBar(bar);
  }

  onTrade(trade: Trade): void {
    this.portfolio.updatePrice(trade.symbol, trade.price);
    this.data.onTrade(trade);
  }

  /** Every order from any source goes here: OMS names it, risk judges it, then it goes out. */
  submit(strategyId: string, request: OrderRequest): Order {
    const order = this.oms.create(strategyId, request);
    const denial = this.risk.check(order);
    if (denial) this.oms.deny(order, denial.code, denial.reason);
    else this.oms.send(order);
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
    for (const { strategy, ctx } of this.strategies.values()) {
      if (ctx.symbols.includes(symbol)) strategy.onDataStatus(symbol, stale);
    }
  }

  strategyIds(): string[] {
    return [...this.strategies.keys()];
  }

  /** Realized PnL and fees of each symbol's position since it opened (loss streaks). */
  private readonly openedAt = new Map<string, { realized: number; fees: number }>();

  /**
   * Books a fill, and when it closes a position (back to flat) tells the risk engine how
   * that round trip ended, net of fees, for the consecutive-loss cooldown.
   */
  private bookFill(event: OrderFilled): void {
    const before = this.portfolio.ledger.position(event.symbol).qty;
    if (before === ZERO) {
      this.openedAt.set(event.symbol, {
        realized: toNumber(this.portfolio.ledger.position(event.symbol).realizedPnl),
        fees: 0,
      });
    }
    this.portfolio.applyFill(event);
    const at = this.openedAt.get(event.symbol);
    if (at) at.fees += toNumber(event.fee);
    const pos = this.portfolio.ledger.position(event.symbol);
    if (pos.qty === ZERO && before !== ZERO && at) {
      this.risk.onRoundTripClosed(
        event.strategyId,
        toNumber(pos.realizedPnl) - at.realized - at.fees,
        this.clock.now(),
      );
      this.openedAt.delete(event.symbol);
    }
  }

  private routeOrderEvent(event: OrderEvent): void {
    const order = this.oms.order(event.orderId);
    if (!order) return;
    if (event.type === 'OrderFilled') this.bookFill(event);
    const entry = this.strategies.get(event.strategyId);
    if (!entry) return;
    entry.strategy.onOrderUpdate(order, event);
    if (event.type === 'OrderFilled') entry.strategy.onFill(event, order);
  }
}
