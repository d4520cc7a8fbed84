import type { Exchange } from 'ccxt';
import type { Logger } from 'pino';
import type { ComponentHealth } from '../api/EngineStatus.js';
import type { EquityHistory } from '../api/engine/EquityHistory.js';
import type { RecentBars } from '../api/engine/RecentBars.js';
import type { AppConfig } from '../config/configSchema.js';
import { marketDataListener } from '../data/MarketDataFeed.js';
import type { ExchangeRequestProblem, RequestProblemHook } from '../exchanges/ccxt/requestProblem.js';
import type { LiveClock } from '../kernel/LiveClock.js';
import type { Bar, Trade } from '../model/Bar.js';
import type { TradingNode } from '../node/TradingNode.js';
import type { SqliteDatabase } from '../storage/sqlite/openDatabase.js';
import { SyntheticMarketStore } from '../storage/sqlite/SyntheticMarketStore.js';
import type { BreakerAnchorStore } from './BreakerAnchorStore.js';
import type { EngineFaults } from './EngineFaults.js';
import type { DeploymentPlan } from './planDeployments.js';
import type { RuntimeVenue } from './RuntimeVenue.js';
import type { MarketDataChoice } from './selectMarketData.js';
import { selectMarketData } from './selectMarketData.js';

/** What the live market data drives once the engine is built. */
export interface MarketDataTargets {
  readonly clock: LiveClock;
  readonly node: TradingNode;
  readonly venue: RuntimeVenue;
  readonly recentBars: RecentBars;
  readonly equityHistory: EquityHistory;
  readonly breaker: BreakerAnchorStore;
  readonly log: Logger;
  /** Where a failure of the engine's processing of a bar or trade goes (it halts trading). */
  readonly faults: EngineFaults;
}

/** How a start opens its market data (the runtime's dependencies, without the runtime). */
export interface OpenMarketDataInput {
  readonly config: AppConfig;
  readonly log: Logger;
  readonly clock: LiveClock;
  readonly plan: DeploymentPlan;
  readonly db: SqliteDatabase;
  readonly allowFallback: boolean;
  readonly exchangeFactory: (() => Promise<Exchange>) | undefined;
}

/**
 * The engine's side of market data: the feed is opened before the engine exists (the feed
 * decides the instruments), so what it delivers before `attach` is dropped; afterwards every
 * bar and trade moves the venue, the node, the breakers and the charts, and its freshness is
 * tracked per symbol for the risk checks and the health report.
 */
export class RuntimeMarketData {
  /** Wall time of the last bar (closed or forming) or trade per symbol. */
  readonly lastData = new Map<string, number>();
  private readonly stale = new Set<string>();
  private readonly problemListeners = new Set<RequestProblemHook>();
  private targets: MarketDataTargets | undefined;
  /** Halts trading when the engine's own processing of market data throws. */
  private faults: EngineFaults | undefined;

  /** The market data of the plan, its listener feeding this. */
  async open({
    config,
    log,
    clock,
    plan,
    db,
    allowFallback,
    exchangeFactory,
  }: OpenMarketDataInput): Promise<MarketDataChoice> {
    const listener = marketDataListener({
      onBar: (bar) => this.onBar(bar),
      onTrade: (trade) => this.onTrade(trade),
      onStale: (symbol) => this.markStale(symbol, true),
      onFresh: (symbol) => this.markStale(symbol, false),
      onGap: (gap) => log.warn({ gap }, 'market data gap'),
      onWarning: (w) => log.warn({ warning: w }, w.message),
      onError: (err) => log.error({ err }, 'market data error'),
    });
    const market = await selectMarketData({
      config,
      symbols: plan.symbols,
      timeframe: plan.baseTimeframe,
      listener,
      log,
      clock,
      syntheticStore: new SyntheticMarketStore(db),
      allowFallback,
      onRequestProblem: (p) => this.requestProblem(p),
      ...(exchangeFactory ? { exchangeFactory } : {}),
    });
    log.info({ source: market.source, detail: market.detail }, `market data: ${market.detail}`);
    return market;
  }

  /** The engine is built: market data flows into it from now on. */
  attach(targets: MarketDataTargets): void {
    this.targets = targets;
    this.faults = targets.faults;
  }

  isStale(symbol: string): boolean {
    return this.stale.has(symbol);
  }

  onRequestProblem(listener: RequestProblemHook): () => void {
    this.problemListeners.add(listener);
    return () => this.problemListeners.delete(listener);
  }

  /** Ready when every configured symbol had data within `risk.staleDataMs` and none is stale. */
  health(config: AppConfig, detail: string, now: number): ComponentHealth {
    const staleMs = config.risk.staleDataMs;
    const ages = [...new Set(config.strategies.flatMap((s) => s.symbols))].map(
      (s) => [s, this.lastData.get(s)] as const,
    );
    const freshOk = ages.every(([s, t]) => t !== undefined && now - t < staleMs && !this.stale.has(s));
    return {
      name: 'market-data',
      ready: freshOk,
      detail: `${detail}; ${ages.map(([s, t]) => `${s}: ${t === undefined ? 'no data yet' : `${Math.round((now - t) / 1000)} s ago`}`).join(', ')}`,
    };
  }

  private onBar(bar: Bar): void {
    const t = this.targets;
    if (t === undefined) return;
    try {
      this.processBar(t, bar);
    } catch (e) {
      const kind = bar.closed ? 'bar' : 'forming bar';
      this.faults?.fault(e, `${bar.symbol} ${bar.timeframe} ${kind} at ${new Date(bar.ts).toISOString()}`);
    }
  }

  private processBar(t: MarketDataTargets, bar: Bar): void {
    if (!bar.closed) {
      // Strategies see the forming bar through onBarUpdate; the venue matches on closed bars or trades only.
      // An update of the forming bar is market data too: between the closes of a long bar it
      // keeps a feed without trade prints (the synthetic market) from reading as stale.
      this.lastData.set(bar.symbol, t.clock.now());
      t.node.onBar(bar);
      return;
    }
    this.lastData.set(bar.symbol, t.clock.now());
    t.recentBars.add(bar);
    t.venue.onClosedBar(bar);
    t.node.onBar(bar);
    t.breaker.check(t.clock.now());
    t.equityHistory.add(t.clock.now(), t.node.portfolio.equity());
  }

  private onTrade(trade: Trade): void {
    const t = this.targets;
    if (t === undefined) return;
    this.lastData.set(trade.symbol, t.clock.now());
    try {
      t.venue.onTrade(trade);
      t.node.onTrade(trade);
    } catch (e) {
      this.faults?.fault(e, `${trade.symbol} trade ${trade.id} at ${new Date(trade.ts).toISOString()}`);
    }
  }

  private markStale(symbol: string, isStale: boolean): void {
    const t = this.targets;
    if (t === undefined) return;
    if (isStale) this.stale.add(symbol);
    else this.stale.delete(symbol);
    t.node.notifyDataStatus(symbol, isStale);
    t.log.warn(
      { symbol },
      isStale ? `market data for ${symbol} is stale` : `market data for ${symbol} is fresh again`,
    );
  }

  /** Failed requests of the market data's exchange, to the side services that watch them. */
  private requestProblem(p: ExchangeRequestProblem): void {
    for (const l of this.problemListeners) l(p);
  }
}
