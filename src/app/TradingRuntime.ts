import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Exchange } from 'ccxt';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ComponentHealth, EngineStatus, EngineStatusSource } from '../api/EngineStatus.js';
import { createApiServer } from '../api/createApiServer.js';
import { checkApiExposure } from '../api/auth/checkApiExposure.js';
import { BacktestJobs } from '../api/backtests/BacktestJobs.js';
import { EquityHistory } from '../api/engine/EquityHistory.js';
import { RecentBars } from '../api/engine/RecentBars.js';
import type { TradingEngineHost } from '../api/engine/TradingEngineApi.js';
import { TradingEngineApi } from '../api/engine/TradingEngineApi.js';
import { validateParams } from '../backtest/validateParams.js';
import type { AppConfig } from '../config/configSchema.js';
import { DEFAULT_PORTS } from '../config/configSchema.js';
import { ZERO, formatFixed, toNumber } from '../core/Fixed.js';
import { QtsError } from '../core/QtsError.js';
import { timeframeToMs } from '../core/time.js';
import { marketDataListener } from '../data/MarketDataFeed.js';
import { LiveClock } from '../kernel/LiveClock.js';
import { ORDER_EVENTS } from '../kernel/topics.js';
import type { Bar, Trade } from '../model/Bar.js';
import type { Order } from '../model/Order.js';
import type { TradingNode } from '../node/TradingNode.js';
import { parseSizing } from '../portfolio/Sizer.js';
import { findStrategy } from '../strategies/registry.js';
import { CommandQueue } from '../storage/sqlite/CommandQueue.js';
import { LedgerStore } from '../storage/sqlite/LedgerStore.js';
import { OrderStore } from '../storage/sqlite/OrderStore.js';
import { RiskStateStore } from '../storage/sqlite/RiskStateStore.js';
import { RunStore } from '../storage/sqlite/RunStore.js';
import type { SqliteDatabase } from '../storage/sqlite/openDatabase.js';
import { openDatabase } from '../storage/sqlite/openDatabase.js';
import { BreakerAnchorStore } from './BreakerAnchorStore.js';
import { runtimeNode } from './runtimeNode.js';
import type { KillSwitchTarget } from './killSwitch.js';
import { engageKillSwitch, liftKillSwitch } from './killSwitch.js';
import type { RuntimeVenue } from './RuntimeVenue.js';
import type { MarketDataChoice } from './selectMarketData.js';
import { selectMarketData } from './selectMarketData.js';
import { ShadowVenue } from './ShadowVenue.js';
import type { EngineHandle, RunningService } from './services/ServiceContext.js';
import { startServices, stopServices } from './services/index.js';
import type { AuditSink } from '../monitor/AuditSink.js';
import { NULL_AUDIT } from '../monitor/AuditSink.js';
import type { ExchangeRequestProblem, RequestProblemHook } from '../exchanges/ccxt/requestProblem.js';
import { redactSecrets } from '../monitor/redactSecrets.js';
import type { LogTail } from '../monitor/LogTail.js';
import { webAppFor } from '../monitor/dashboard/webAppFor.js';
import { StrategyControls } from '../api/engine/StrategyControls.js';
import { EquitySampleStore } from '../storage/sqlite/EquitySampleStore.js';
import { instrumentApiFor } from './services/httpMetrics.js';

export interface RuntimeDeps {
  readonly log: Logger;
  /** Tests point the runtime at a local fake exchange. */
  readonly exchangeFactory?: () => Promise<Exchange>;
  /** Skip the HTTP server (tests that only need the engine). */
  readonly noHttp?: boolean;
  /** The audit trail; defaults to none (tests). */
  readonly audit?: AuditSink;
  /** The in-memory log tail the logger writes to (for the log channel). */
  readonly logTail?: LogTail;
  /** Skip the side services of src/app/services (tests that only need the engine). */
  readonly noServices?: boolean;
  /** Hooks added to the REST server before its routes (HTTP request metrics). */
  readonly instrumentApi?: (app: FastifyInstance) => void;
  /** Live tests: the keyed ccxt instance that trades (pointed at a fake exchange). */
  readonly tradingExchangeFactory?: () => Promise<Exchange>;
}

/**
 * What makes an engine shadow or live: its mode name, whether market data may fall back to
 * replay/synthetic when the exchange does not answer, and the venue its orders go to. The
 * composition root (startApp) picks one; everything else in the runtime is shared.
 */
export interface RuntimeVariant {
  readonly mode: 'shadow' | 'live';
  readonly allowMarketFallback: boolean;
  readonly makeVenue: (ctx: VenueContext) => RuntimeVenue | Promise<RuntimeVenue>;
}

/** What a venue is built from. */
export interface VenueContext {
  readonly config: AppConfig;
  readonly node: TradingNode;
  readonly market: MarketDataChoice;
  readonly audit: AuditSink;
  readonly log: Logger;
  readonly now: () => number;
  /** Saves the ledger (after reconciliation moved it). */
  readonly saveLedger: () => void;
  /** The engine's database and this session's run id, for venues that keep records of their own. */
  readonly db: SqliteDatabase;
  readonly runId: string;
  /** An order from the journal, closed ones too (a bracket child's filled parent after a restart). */
  readonly loadOrder?: (orderId: string) => Order | undefined;
}

/** Shadow trading: the simulated venue, a paper account. */
export const SHADOW_VARIANT: RuntimeVariant = {
  mode: 'shadow',
  allowMarketFallback: true,
  makeVenue: ({ node, market, config }) => new ShadowVenue(node, config.account.commission, market.matchOn),
};

const COMMAND_POLL_MS = 1_000;

/**
 * A running engine on live market data, a wall clock and the SQLite system of record; shadow
 * and live differ only by the venue of their RuntimeVariant. Shadow uses the backtest's
 * SimulatedVenue and holds no exchange credentials at all — the market data instance is
 * built without keys — so no code path can reach a private endpoint; live sends orders
 * through the keyed ccxt instance of its venue and reconciles before strategies start.
 * Restarting resumes the account, open orders, strategy state and the trading state (a halt
 * survives a restart).
 */
export class TradingRuntime implements EngineStatusSource, EngineHandle, TradingEngineHost {
  private readonly startedAt: number;
  readonly lastData = new Map<string, number>();
  /** Closed bars seen lately and the equity over this run, for the API's charts. */
  readonly recentBars = new RecentBars();
  /** The equity curve: this run in memory, sampled into SQLite so a restart keeps the history. */
  readonly equityHistory: EquityHistory;
  private readonly stale = new Set<string>();
  /** Circuit-breaker anchors kept across restarts (day start and peak equity). */
  private readonly breaker: BreakerAnchorStore;
  private http: FastifyInstance | undefined;
  private commandTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private services: RunningService[] = [];
  readonly audit: AuditSink;

  private constructor(
    readonly config: AppConfig,
    readonly db: SqliteDatabase,
    readonly clock: LiveClock,
    readonly mode: 'shadow' | 'live',
    readonly node: TradingNode,
    readonly venue: RuntimeVenue,
    readonly market: MarketDataChoice,
    readonly runId: string,
    private readonly stores: {
      orders: OrderStore;
      ledger: LedgerStore;
      risk: RiskStateStore;
      runs: RunStore;
      commands: CommandQueue;
    },
    readonly log: Logger,
    audit: AuditSink,
  ) {
    this.audit = audit;
    this.startedAt = clock.now();
    this.breaker = new BreakerAnchorStore(db, stores.risk, node.risk, () => node.portfolio.equity());
    this.equityHistory = new EquityHistory(5_000, 1_000, {
      store: new EquitySampleStore(db),
      runId,
      sampleMs: config.history.equitySampleMs,
      maxSamples: config.history.equityMaxSamples,
    });
  }

  /** Builds, restores and starts a shadow engine from its configuration. */
  static startShadow(config: AppConfig, deps: RuntimeDeps): Promise<TradingRuntime> {
    return TradingRuntime.start(config, deps, SHADOW_VARIANT);
  }

  /**
   * Builds, restores and starts an engine of either mode: the venue comes from `variant`,
   * and no strategy starts before the venue is prepared (live: reconciled).
   */
  static async start(config: AppConfig, deps: RuntimeDeps, variant: RuntimeVariant): Promise<TradingRuntime> {
    const log = deps.log;
    const mode = variant.mode;
    if (!deps.noHttp) checkApiExposure(config);
    const clock = new LiveClock();
    const deployments = config.strategies.filter((s) => s.enabled);
    if (deployments.length === 0)
      throw new QtsError(
        'ERR_CONFIG',
        `${mode} mode needs at least one enabled strategy (config/strategies/*.json)`,
      );
    const prepared = deployments.map((d) => ({ d, cls: findStrategy(d.strategy) }));
    const params = prepared.map(({ d, cls }) => validateParams(cls, d.params));
    const symbols = [...new Set(deployments.flatMap((d) => d.symbols))];
    const baseTf =
      deployments.map((d) => d.timeframe).sort((a, b) => timeframeToMs(a) - timeframeToMs(b))[0] ?? '1m';

    mkdirSync(dirname(config.storage.dbPath), { recursive: true });
    const db = openDatabase(config.storage.dbPath);
    const stores = {
      orders: new OrderStore(db),
      ledger: new LedgerStore(db),
      risk: new RiskStateStore(db),
      runs: new RunStore(db),
      commands: new CommandQueue(db),
    };
    const now = clock.now();
    const interrupted = stores.runs.markInterrupted(now);
    if (interrupted.length > 0)
      log.warn(
        { runs: interrupted },
        'previous run(s) ended without a clean stop: resuming from the database',
      );
    const runId = `${mode}-${now}`;
    stores.runs.start({ id: runId, mode, startedAt: now, config: withoutApiSecrets(config) });

    // Market data first: the instruments come from the exchange when it answers.
    // The listener exists before the runtime it feeds (the feed decides the instruments).
    const ref: { runtime?: TradingRuntime } = {};
    const listener = marketDataListener({
      onBar: (bar) => ref.runtime?.onBar(bar),
      onTrade: (trade) => ref.runtime?.onTrade(trade),
      onStale: (symbol) => ref.runtime?.markStale(symbol, true),
      onFresh: (symbol) => ref.runtime?.markStale(symbol, false),
      onGap: (gap) => log.warn({ gap }, 'market data gap'),
      onWarning: (w) => log.warn({ warning: w }, w.message),
      onError: (err) => log.error({ err }, 'market data error'),
    });
    const market = await selectMarketData({
      config,
      symbols,
      timeframe: baseTf,
      listener,
      log,
      now: () => clock.now(),
      allowFallback: variant.allowMarketFallback,
      onRequestProblem: (p) => ref.runtime?.requestProblem(p),
      ...(deps.exchangeFactory ? { exchangeFactory: deps.exchangeFactory } : {}),
    });
    log.info({ source: market.source, detail: market.detail }, `market data: ${market.detail}`);

    const snapshot = stores.ledger.latest();
    const node = runtimeNode(config, clock, market, snapshot?.cash, db, stores.orders, log, (symbol) =>
      ref.runtime?.lastData.get(symbol),
    );
    if (snapshot) node.portfolio.restorePositions(snapshot.positions);
    const audit = deps.audit ?? NULL_AUDIT;
    const venue = await variant.makeVenue({
      config,
      node,
      market,
      audit,
      log,
      now: () => clock.now(),
      saveLedger: () => stores.ledger.save(runId, clock.now(), node.portfolio.ledger),
      db,
      runId,
      loadOrder: (id) => stores.orders.load(id),
    });
    venue.connect(node.connect(venue.orderClient ?? venue.client));

    const runtime = new TradingRuntime(
      config,
      db,
      clock,
      mode,
      node,
      venue,
      market,
      runId,
      stores,
      log,
      audit,
    );
    ref.runtime = runtime;
    runtime.restoreOrders();
    node.risk.configureBreakers({
      dailyLossLimitPct: config.risk.dailyLossLimitPct,
      maxDrawdownPct: config.risk.maxDrawdownPct,
      breakerState: config.risk.breakerState,
      consecutiveLossLimit: config.risk.consecutiveLossLimit,
      cooldownMs: config.risk.cooldownMs,
    });
    runtime.breaker.restore(clock.now());
    node.risk.onStateChange((state, reason, code) => {
      stores.risk.save({ state, reason, since: clock.now(), killSwitch: false });
      log[state === 'ACTIVE' ? 'warn' : 'error']({ code, state }, `TRADING ${state}: ${reason}`);
    });
    const risk = stores.risk.load();
    if (risk) {
      node.risk.setState(risk.state);
      if (risk.state !== 'ACTIVE')
        log.warn(
          { state: risk.state, reason: risk.reason },
          `trading state ${risk.state} restored: ${risk.reason}`,
        );
    }
    prepared.forEach(({ d, cls }, i) => {
      for (const s of d.symbols) node.registerFeed(s, baseTf);
      node.addStrategy({
        id: d.id,
        strategyClass: cls,
        params: params[i],
        symbols: d.symbols,
        timeframe: d.timeframe,
        sizing: parseSizing(d.sizing, node.instrument(d.symbols[0] as string).lotSize),
      });
    });
    // Every fill moves the paper account: snapshot it so a restart resumes exactly.
    node.bus.subscribe(ORDER_EVENTS, (e) => {
      if (e.type !== 'OrderFilled') return;
      stores.ledger.save(runId, clock.now(), node.portfolio.ledger);
      runtime.breaker.check(clock.now());
    });
    // Live: the account is reconciled with the exchange before any strategy may send an order.
    try {
      await venue.prepare();
    } catch (e) {
      await venue.stop().catch(() => undefined);
      await market.feed.stop().catch(() => undefined);
      await market.exchange?.close?.().catch(() => undefined);
      stores.runs.finish(runId, { stoppedAt: clock.now(), status: 'STOPPED' });
      clock.dispose();
      db.close();
      throw e;
    }
    // Start/stop and parameters set through the API before the last stop come back first.
    for (const r of new StrategyControls(db, node, config.strategies, () => clock.now()).restore()) {
      log[r.outcome === 'restored' ? 'info' : 'warn'](
        { strategyId: r.strategyId, outcome: r.outcome },
        `strategy ${r.strategyId}: ${r.detail}`,
      );
      audit.record('strategy.control_restored', { ...r }, 'system');
    }
    node.start();
    await market.feed.start();
    runtime.commandTimer = setInterval(() => runtime.runCommands(), COMMAND_POLL_MS);
    if (!deps.noHttp) await runtime.listen(deps.instrumentApi);
    if (!deps.noServices)
      runtime.services = await startServices({
        mode,
        config,
        log,
        audit: runtime.audit,
        logTail: deps.logTail,
        status: runtime,
        engine: runtime,
        now: () => clock.now(),
      });
    return runtime;
  }

  private restoreOrders(): void {
    for (const order of this.stores.orders.loadOpenOrders()) {
      if (order.status === 'INITIALIZED') {
        // Never sent before the stop: deny it rather than send it late, on stale intent.
        this.node.oms.adopt(order);
        this.node.oms.deny(order, 'ERR_RESTART_NOT_SENT', 'engine stopped before the order was sent');
        continue;
      }
      this.node.oms.adopt(order);
      this.venue.adopt(order);
    }
  }

  private onBar(bar: Bar): void {
    if (!bar.closed) {
      // Strategies see the forming bar through onBarUpdate; the venue matches on closed bars or trades only.
      this.node.onBar(bar);
      return;
    }
    this.lastData.set(bar.symbol, this.clock.now());
    this.recentBars.add(bar);
    this.venue.onClosedBar(bar);
    this.node.onBar(bar);
    this.breaker.check(this.clock.now());
    this.equityHistory.add(this.clock.now(), this.node.portfolio.equity());
  }

  isStale(symbol: string): boolean {
    return this.stale.has(symbol);
  }

  private onTrade(trade: Trade): void {
    this.lastData.set(trade.symbol, this.clock.now());
    this.venue.onTrade(trade);
    this.node.onTrade(trade);
  }

  private markStale(symbol: string, isStale: boolean): void {
    if (isStale) this.stale.add(symbol);
    else this.stale.delete(symbol);
    this.node.notifyDataStatus(symbol, isStale);
    this.log.warn(
      { symbol },
      isStale ? `market data for ${symbol} is stale` : `market data for ${symbol} is fresh again`,
    );
  }

  /** Executes commands queued by other processes (the CLI kill switch). */
  runCommands(): void {
    for (const cmd of this.stores.commands.pending()) {
      try {
        const result =
          cmd.command === 'kill'
            ? this.kill(cmd.args.flatten === true, cmd.args.reason ?? 'kill switch', cmd.issuedBy)
            : this.resume(cmd.args.reason ?? 'resume', cmd.issuedBy);
        this.stores.commands.complete(cmd.id, true, result, this.clock.now());
      } catch (e) {
        this.stores.commands.complete(cmd.id, false, (e as Error).message, this.clock.now());
      }
    }
  }

  /** Kill switch: cancel every open order, flatten on request, then HALTED (persisted). */
  kill(flatten: boolean, reason: string, by: string): string {
    return engageKillSwitch(this.killTarget(), this.clock.now(), flatten, reason, by);
  }

  resume(reason: string, by: string): string {
    return liftKillSwitch(this.killTarget(), this.clock.now(), reason, by);
  }

  private killTarget(): KillSwitchTarget {
    return { node: this.node, risk: this.stores.risk, log: this.log };
  }

  status(): EngineStatus {
    const p = this.node.portfolio;
    const risk = this.stores.risk.load();
    return {
      mode: this.mode,
      marketData: { source: this.market.source, detail: this.market.detail },
      startedAt: this.startedAt,
      now: this.clock.now(),
      tradingState: this.node.risk.state,
      tradingStateReason: risk?.reason ?? '',
      currency: p.currency,
      equity: p.equity(),
      cash: formatFixed(p.cash()),
      positions: p.ledger
        .allPositions()
        .filter((pos) => pos.qty !== ZERO)
        .map((pos) => ({
          symbol: pos.symbol,
          qty: formatFixed(pos.qty),
          avgPrice: toNumber(pos.costBasis) / toNumber(pos.qty),
          lastPrice: p.lastPrice(pos.symbol) ?? null,
        })),
      openOrders: this.node.oms.openOrders().length,
      strategies: this.node.strategyInfos().map((s) => ({
        id: s.id,
        strategy: s.strategyClass.id,
        symbols: s.symbols,
        timeframe: s.timeframe,
        running: s.running && !this.stopped,
      })),
    };
  }

  components(): ComponentHealth[] {
    const now = this.clock.now();
    const staleMs = this.config.risk.staleDataMs;
    const ages = [...new Set(this.config.strategies.flatMap((s) => s.symbols))].map(
      (s) => [s, this.lastData.get(s)] as const,
    );
    const freshOk = ages.every(([s, t]) => t !== undefined && now - t < staleMs && !this.stale.has(s));
    let dbOk = true;
    try {
      this.db.prepare('SELECT 1').get();
    } catch {
      dbOk = false;
    }
    return [
      {
        name: 'market-data',
        ready: freshOk,
        detail: `${this.market.detail}; ${ages.map(([s, t]) => `${s}: ${t === undefined ? 'no data yet' : `${Math.round((now - t) / 1000)} s ago`}`).join(', ')}`,
      },
      { name: 'database', ready: dbOk && !this.db.readonly, detail: this.config.storage.dbPath },
      {
        name: 'trading',
        ready: this.node.risk.state !== 'HALTED',
        detail: `trading state ${this.node.risk.state}`,
      },
      ...this.venue.components(),
      ...this.services.flatMap((s) => (s.health ? [s.health()] : [])),
    ];
  }

  private readonly problemListeners = new Set<RequestProblemHook>();

  onRequestProblem(listener: RequestProblemHook): () => void {
    this.problemListeners.add(listener);
    return () => this.problemListeners.delete(listener);
  }

  private requestProblem(p: ExchangeRequestProblem): void {
    for (const l of this.problemListeners) l(p);
  }

  /** The HTTP port actually bound (0 before listen or without HTTP). */
  port = 0;

  private async listen(instrument: ((app: FastifyInstance) => void) | undefined): Promise<void> {
    const now = (): number => this.clock.now();
    this.http = await createApiServer({
      engine: new TradingEngineApi(this),
      config: this.config,
      audit: this.audit,
      startedAt: this.startedAt,
      now,
      instrument: instrument ?? instrumentApiFor(() => this.services),
      web: webAppFor(this.config, () => this.services),
      backtests: new BacktestJobs({
        dbPath: this.config.storage.dbPath,
        dataDir: this.config.api.backtestDataDir,
        defaultExchange: this.config.exchange.id,
        maxRunning: this.config.api.maxBacktests,
        now,
      }),
    });
    await this.http.listen({
      host: this.config.api.host,
      port: this.config.api.port ?? DEFAULT_PORTS[this.mode],
    });
    const addr = this.http.server.address();
    this.port = typeof addr === 'object' && addr !== null ? addr.port : 0;
    this.log.info(`${this.mode} engine: API on http://${this.config.api.host}:${this.port}/api/v1/status`);
  }

  /** Graceful stop: data off, strategies told, account snapshotted, run recorded, database closed. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.commandTimer !== undefined) clearInterval(this.commandTimer);
    await stopServices(this.services);
    await this.market.feed.stop();
    this.node.stop();
    await this.venue.stop();
    this.clock.dispose();
    this.stores.ledger.save(this.runId, this.clock.now(), this.node.portfolio.ledger);
    this.stores.runs.finish(this.runId, { stoppedAt: this.clock.now(), status: 'STOPPED' });
    await this.http?.close();
    await this.market.exchange?.close?.().catch(() => undefined);
    this.equityHistory.flush();
    this.db.close();
  }
}

/** The configuration as the runs table keeps it: every secret-named field blanked (tokens, keys, passwords). */
function withoutApiSecrets(config: AppConfig): AppConfig {
  return redactSecrets(config);
}
