import { z } from 'zod';
import { validateParams } from '../../backtest/validateParams.js';
import type { AppConfig } from '../../config/configSchema.js';
import { ZERO, abs, add, formatFixed, toFixed } from '../../core/Fixed.js';
import { QtsError } from '../../core/QtsError.js';
import { closingQty } from '../../model/Instrument.js';
import { lastAmendOutcome } from '../../model/OrderAmend.js';
import type { TradingNode } from '../../node/TradingNode.js';
import type { StrategyInfo } from '../../node/TradingNode.js';
import type { SqliteDatabase } from '../../storage/sqlite/openDatabase.js';
import type { CandleQuery, EngineApi, FillFilter, OrderFilter } from '../EngineApi.js';
import type { ComponentHealth, EngineStatus, EngineStatusSource } from '../EngineStatus.js';
import type {
  BalanceView,
  CandlesView,
  CommandResultView,
  EquityCurveView,
  FillView,
  OrderView,
  PnlView,
  PositionView,
  RiskView,
  RunView,
  StrategyView,
  SymbolView,
  TickerView,
} from '../views.js';
import type { EquityHistory } from './EquityHistory.js';
import type { RecentBars } from './RecentBars.js';
import { StoredQueries } from './StoredQueries.js';
import { openPositions } from './openPositions.js';
import { StrategyControls } from './StrategyControls.js';
import { orderView } from './toViews.js';
import { strategyStatusView } from '../strategyStatusView.js';

/** What a trading runtime (shadow, later live) exposes to its API adapter. */
export interface TradingEngineHost extends EngineStatusSource {
  readonly config: AppConfig;
  readonly node: TradingNode;
  readonly db: SqliteDatabase;
  readonly lastData: ReadonlyMap<string, number>;
  readonly recentBars: RecentBars;
  readonly equityHistory: EquityHistory;
  isStale(symbol: string): boolean;
  /** The kill switch: cancel all, optionally flatten, HALTED (persisted). */
  kill(flatten: boolean, reason: string, by: string): string;
  resume(reason: string, by: string): string;
}

/** Orders the API sends itself carry this strategy id (the audit log names the person). */
export const API_STRATEGY_ID = 'api';

/**
 * EngineApi over a running TradingNode. Queries read the node and the database; commands
 * go the way a strategy's orders go — a close is a reduce-only market order through
 * `node.submit` (risk engine, then OMS), a cancel is an OMS cancel — so the API can do
 * nothing a strategy could not.
 */
export class TradingEngineApi implements EngineApi {
  private readonly stored: StoredQueries;
  /** Start/stop and parameter changes are saved so a restart keeps them. */
  private readonly controls: StrategyControls;

  constructor(private readonly host: TradingEngineHost) {
    this.stored = new StoredQueries(host.db, host.node.portfolio.currency);
    this.controls = new StrategyControls(host.db, host.node, host.config.strategies, () =>
      host.node.clock.now(),
    );
  }

  status(): EngineStatus {
    return this.host.status();
  }
  components(): ComponentHealth[] {
    return this.host.components();
  }
  orders(q: OrderFilter): OrderView[] {
    return this.stored.orders(q);
  }
  order(id: string): OrderView | undefined {
    const live = this.host.node.oms.order(id);
    return live ? orderView(live) : this.stored.order(id);
  }
  fills(q: FillFilter): FillView[] {
    return this.stored.fills(q);
  }

  positions(): PositionView[] {
    return openPositions(this.host.node.portfolio);
  }

  balances(): BalanceView[] {
    return [...this.host.node.portfolio.ledger.balances()].map(([currency, amount]) => ({
      currency,
      amount: formatFixed(amount),
    }));
  }

  pnl(q: { from?: number | undefined; to?: number | undefined }): PnlView {
    let unrealized = ZERO;
    for (const pos of this.positions())
      if (pos.unrealizedPnl !== null) unrealized = add(unrealized, toFixed(pos.unrealizedPnl));
    return this.stored.pnl(q, formatFixed(unrealized));
  }

  equityCurve(q: { from?: number | undefined; to?: number | undefined; points: number }): EquityCurveView {
    return {
      currency: this.host.node.portfolio.currency,
      points: this.host.equityHistory.range(q.from, q.to, q.points),
    };
  }

  risk(): RiskView {
    const saved = this.stored.riskStore.load();
    return {
      state: this.host.node.risk.state,
      reason: saved?.reason ?? '',
      since: saved?.since ?? null,
      killSwitch: saved?.killSwitch ?? false,
      limits: { ...this.host.config.risk },
    };
  }

  strategies(): StrategyView[] {
    return this.host.node.strategyInfos().map(strategyView);
  }

  symbols(): SymbolView[] {
    const symbols = [...new Set(this.host.node.strategyInfos().flatMap((s) => s.symbols))];
    return symbols.map((symbol) => {
      const timeframes = this.host.recentBars.timeframes(symbol);
      const bars = this.host.recentBars.get(symbol, timeframes[0] ?? '');
      return {
        symbol,
        exchange: this.host.config.exchange.id,
        timeframes,
        first: bars[0]?.ts ?? null,
        last: bars[bars.length - 1]?.ts ?? null,
      };
    });
  }

  /** Bars this engine saw (live), or stored history when none were seen at that timeframe. */
  candles(q: CandleQuery): CandlesView {
    const seen = this.host.recentBars
      .get(q.symbol, q.timeframe)
      .filter((b) => (q.from === undefined || b.ts >= q.from) && (q.to === undefined || b.ts < q.to));
    if (seen.length === 0 || q.exchange !== undefined)
      return this.stored.storedCandles(q.exchange ?? this.host.config.exchange.id, q);
    const picked = q.from === undefined ? seen.slice(-q.limit) : seen.slice(0, q.limit);
    return {
      symbol: q.symbol,
      timeframe: q.timeframe,
      candles: picked.map(({ ts, open, high, low, close, volume }) => ({
        ts,
        open,
        high,
        low,
        close,
        volume,
      })),
    };
  }

  ticker(symbol: string): TickerView {
    this.host.node.instrument(symbol);
    const at = this.host.lastData.get(symbol);
    const now = this.host.node.clock.now();
    return {
      symbol,
      last: this.host.node.lastPrice(symbol) ?? null,
      at: at ?? null,
      stale: at === undefined || this.host.isStale(symbol) || now - at >= this.host.config.risk.staleDataMs,
    };
  }

  runs(limit: number): RunView[] {
    return this.stored.runs(limit);
  }

  cancelOrder(id: string, actor: string): CommandResultView {
    const order = this.host.node.oms.order(id);
    if (order === undefined && this.stored.order(id) === undefined)
      throw new QtsError('ERR_ORDER_NOT_FOUND', `no order ${id}`);
    if (order === undefined || !order.isOpen) {
      const status = order?.status ?? this.stored.order(id)?.status;
      throw new QtsError('ERR_ORDER_NOT_OPEN', `order ${id} is ${status}: nothing to cancel`);
    }
    this.host.node.oms.cancel(id, `canceled via API by ${actor}`);
    return {
      ok: true,
      message: order.isOpen ? `cancel of ${id} requested` : `order ${id} ${order.status}`,
      order: orderView(order),
    };
  }

  amendOrder(
    id: string,
    change: { price?: string | undefined; quantity?: string | undefined },
    actor: string,
  ): CommandResultView {
    const node = this.host.node;
    const order = node.oms.order(id);
    if (order === undefined && this.stored.order(id) === undefined)
      throw new QtsError('ERR_ORDER_NOT_FOUND', `no order ${id}`);
    if (order === undefined || !order.isOpen) {
      const status = order?.status ?? this.stored.order(id)?.status;
      throw new QtsError('ERR_ORDER_NOT_OPEN', `order ${id} is ${status}: nothing to amend`);
    }
    const terms = {
      price: change.price === undefined ? undefined : toFixed(change.price),
      quantity: change.quantity === undefined ? undefined : toFixed(change.quantity),
    };
    node.amend(id, terms, `amended via API by ${actor}`);
    const outcome = lastAmendOutcome(order.events);
    if (outcome?.status === 'REJECTED')
      return { ok: false, message: `${outcome.code}: ${outcome.reason}`, order: orderView(order) };
    return {
      ok: true,
      message: outcome?.status === 'AMENDED' ? `order ${id} amended` : `amend of ${id} requested`,
      order: orderView(order),
    };
  }

  closePosition(symbol: string, quantity: string | undefined, _actor: string): CommandResultView {
    const node = this.host.node;
    const inst = node.instrument(symbol);
    const held = node.portfolio.positionQty(symbol);
    if (held === ZERO) throw new QtsError('ERR_NO_POSITION', `no open position in ${symbol}`);
    // The whole of a long is what a sell can take once its fee in the base coin is kept back
    // (see sellableWithFee): a sell of every coin would be refused for want of coins.
    const whole = closingQty(inst, held);
    if (quantity === undefined && whole === ZERO)
      throw new QtsError(
        'ERR_NO_POSITION',
        `only dust in ${symbol} (${formatFixed(held)}): too little to sell once the sell's fee is kept back`,
      );
    const qty = quantity === undefined ? whole : toFixed(quantity);
    if (qty <= 0n || qty > abs(held))
      throw new QtsError(
        'ERR_BAD_REQUEST',
        `quantity must be > 0 and at most the position (${formatFixed(abs(held))})`,
      );
    const order = node.submit(API_STRATEGY_ID, {
      symbol,
      side: held > 0n ? 'SELL' : 'BUY',
      type: 'MARKET',
      quantity: qty,
      timeInForce: 'GTC',
      postOnly: false,
      reduceOnly: true,
      tag: 'api-close',
    });
    const denied = order.status === 'DENIED';
    return {
      ok: !denied,
      message: denied
        ? `close denied by risk: ${order.reasonCode}: ${order.reason}`
        : `closing ${formatFixed(qty)} ${symbol}: order ${order.id} ${order.status}`,
      order: orderView(order),
    };
  }

  kill(flatten: boolean, reason: string, actor: string): CommandResultView {
    return { ok: true, message: this.host.kill(flatten, reason, actor) };
  }

  resume(reason: string, actor: string): CommandResultView {
    return { ok: true, message: this.host.resume(reason, actor) };
  }

  startStrategy(id: string, actor: string): StrategyView {
    this.host.node.startStrategy(id);
    this.controls.record(id, actor, false);
    return this.strategyById(id);
  }

  stopStrategy(id: string, cancelOrders: boolean, actor: string): StrategyView {
    this.host.node.stopStrategy(id);
    this.controls.record(id, actor, false);
    if (cancelOrders)
      for (const o of this.host.node.oms.openOrders(undefined, id))
        this.host.node.oms.cancel(o.id, `strategy stopped via API by ${actor}`);
    return this.strategyById(id);
  }

  updateStrategyParams(id: string, params: Readonly<Record<string, unknown>>, actor: string): StrategyView {
    const info = this.host.node.strategyInfos().find((s) => s.id === id);
    if (info === undefined) throw new QtsError('ERR_STRATEGY_NOT_FOUND', `no strategy instance "${id}"`);
    const valid = validateParams(info.strategyClass, params);
    this.host.node.updateStrategyParams(id, valid);
    this.controls.record(id, actor, true);
    return this.strategyById(id);
  }

  private strategyById(id: string): StrategyView {
    const info = this.host.node.strategyInfos().find((s) => s.id === id);
    if (info === undefined) throw new QtsError('ERR_STRATEGY_NOT_FOUND', `no strategy instance "${id}"`);
    return strategyView(info);
  }
}

const schemaCache = new WeakMap<object, Record<string, unknown>>();

/** The JSON schema of a strategy's parameters (empty when zod cannot express it). */
function paramsJsonSchema(schema: z.ZodType): Record<string, unknown> {
  let out = schemaCache.get(schema);
  if (out === undefined) {
    try {
      out = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
    } catch {
      out = {};
    }
    schemaCache.set(schema, out);
  }
  return out;
}

function strategyView(s: StrategyInfo): StrategyView {
  return {
    id: s.id,
    strategy: s.strategyClass.id,
    description: s.strategyClass.description,
    symbols: [...s.symbols],
    timeframe: s.timeframe,
    running: s.running,
    ...strategyStatusView(s),
    params: (s.params ?? {}) as Record<string, unknown>,
    paramsSchema: paramsJsonSchema(s.strategyClass.paramsSchema),
  };
}
