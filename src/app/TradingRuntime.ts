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
import type { AppConfig } from '../config/configSchema.js';
import { DEFAULT_PORTS } from '../config/configSchema.js';
import { ZERO, formatFixed, toNumber } from '../core/Fixed.js';
import type { Millis } from '../core/time.js';
import { marketDataListener } from '../data/MarketDataFeed.js';
import { LiveClock } from '../kernel/LiveClock.js';
import { ORDER_EVENTS } from '../kernel/topics.js';
import type { Bar, Trade } from '../model/Bar.js';
import type { TradingNode } from '../node/TradingNode.js';
import { parseSizing } from '../portfolio/Sizer.js';
import type { SqliteDatabase } from '../storage/sqlite/openDatabase.js';
import { BreakerAnchorStore } from './BreakerAnchorStore.js';
import type { RuntimeStorage, RuntimeStores } from './openRuntimeStorage.js';
import { openRuntimeStorage } from './openRuntimeStorage.js';
import type { DeploymentPlan } from './planDeployments.js';
import { planDeployments } from './planDeployments.js';
import { resumeNode } from './resumeNode.js';
import type { KillSwitchTarget } from './killSwitch.js';
import { engageKillSwitch, liftKillSwitch } from './killSwitch.js';
import type { RuntimeVenue } from './RuntimeVenue.js';
import type { RuntimeVariant, VenueContext } from './RuntimeVariant.js';
import { SHADOW_VARIANT } from './RuntimeVariant.js';
import type { MarketDataChoice } from './selectMarketData.js';
import { selectMarketData } from './selectMarketData.js';
import type { EngineHandle, RunningService } from './services/ServiceContext.js';
import { startServices, stopServices } from './services/index.js';
import type { AuditSink } from '../monitor/AuditSink.js';
import { NULL_AUDIT } from '../monitor/AuditSink.js';
import type { ExchangeRequestProblem, RequestProblemHook } from '../exchanges/ccxt/requestProblem.js';
import type { LogTail } from '../monitor/LogTail.js';
import { webAppFor } from '../monitor/dashboard/webAppFor.js';
import { StrategyControls } from '../api/engine/StrategyControls.js';
import { EquitySampleStore } from '../storage/sqlite/EquitySampleStore.js';
import { SyntheticMarketStore } from '../storage/sqlite/SyntheticMarketStore.js';
import { instrumentApiFor } from './services/httpMetrics.js';
import { listenApi } from './listenApi.js';
import { warmUpStrategies } from './warmUpStrategies.js';
import { WarmUpProgress } from './WarmUpProgress.js';
import { CandleStore } from '../storage/sqlite/CandleStore.js';
import { secretRegistry } from '../monitor/SecretRegistry.js';

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
  /** Tests: the wall clock the engine reads (its timers still run on the event loop). */
  readonly wallClock?: () => Millis;
  /**
   * A stop asked for while the engine starts (SIGINT during a long warm-up): the warm-up is
   * abandoned, the live feed never starts, and the start ends with the engine stopped.
   */
  readonly signal?: AbortSignal;
}

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
  /** The stop in progress or done: a second stop waits for it. */
  private stopping: Promise<void> | undefined;
  /** Aborted when the engine stops: a warm-up still fetching is abandoned. */
  private readonly stopController = new AbortController();
  /** The start's warm-up, for the API's status. */
  readonly warmUpProgress: WarmUpProgress;
  private services: RunningService[] = [];
  readonly audit: AuditSink;
  readonly db: SqliteDatabase;
  readonly runId: string;
  private readonly stores: RuntimeStores;
  private readonly closeStorage: () => void;

  private constructor(
    readonly config: AppConfig,
    { db, runId, stores, close }: RuntimeStorage,
    readonly clock: LiveClock,
    readonly mode: 'shadow' | 'live',
    readonly node: TradingNode,
    readonly venue: RuntimeVenue,
    readonly market: MarketDataChoice,
    readonly log: Logger,
    audit: AuditSink,
  ) {
    this.db = db;
    this.runId = runId;
    this.stores = stores;
    this.closeStorage = close;
    this.audit = audit;
    this.startedAt = clock.now();
    this.warmUpProgress = new WarmUpProgress(
      config.marketData.warmupBars,
      config.marketData.warmupTimeoutMs,
      market.source !== 'exchange'
        ? `market data is ${market.source}: there is no history of it to warm up on`
        : config.marketData.warmupBars <= 0
          ? 'marketData.warmupBars is 0: strategies start cold'
          : undefined,
    );
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
    const clock = new LiveClock(deps.wallClock);
    const plan = planDeployments(config, mode);
    const storage = openRuntimeStorage(config, mode, () => clock.now(), log);
    // Market data first: the instruments come from the exchange when it answers.
    // The listener exists before the runtime it feeds (the feed decides the instruments).
    const ref: RuntimeRef = {};
    let market: MarketDataChoice | undefined;
    try {
      market = await TradingRuntime.openMarketData(config, deps, variant, clock, plan, ref, storage);
      const node = resumeNode(config, clock, market, storage, log, (symbol) =>
        ref.runtime?.lastData.get(symbol),
      );
      const audit = deps.audit ?? NULL_AUDIT;
      const venue = await connectVenue(variant, { config, node, market, audit, log }, clock, storage);
      ref.runtime = new TradingRuntime(config, storage, clock, mode, node, venue, market, log, audit);
    } catch (e) {
      await releaseUnbuilt(storage, clock, market, e);
      throw e;
    }
    const runtime = ref.runtime;
    try {
      runtime.restoreOrders();
      runtime.restoreBreakers();
      runtime.restoreTradingState();
      runtime.addStrategies(plan);
      runtime.snapshotLedgerOnFills();
      // Live: the account is reconciled with the exchange before any strategy may send an order.
      // Order events of the start (fills reconciled, cancels resumed, the kill switch held) are
      // booked now and handed to the strategy owning the order once it runs (TradingNode).
      await runtime.venue.prepare();
      runtime.resumeCancels();
      runtime.holdKillSwitch();
      runtime.restoreStrategyControls();
      // The API's port is taken before any strategy starts: a second engine started by mistake
      // on the same port fails here, before its strategies could send an order.
      if (!deps.noHttp) await runtime.listen(deps.instrumentApi);
      await runtime.startTrading(plan, deps.signal);
      if (deps.signal?.aborted === true) {
        log.info('stop asked for while starting: the engine stops before trading');
        await runtime.stop();
        return runtime;
      }
      if (!deps.noServices) await runtime.startSideServices(deps);
    } catch (e) {
      // A start that fails halfway (the venue cannot be reconciled, the API port is taken)
      // must not leave strategies trading until the process exits: everything started is
      // stopped as on a graceful stop, and the run is recorded as failed, with why.
      await runtime
        .shutdown('FAILED', e)
        .catch((err: unknown) => log.error({ err }, 'error while stopping after a failed start'));
      throw e;
    }
    return runtime;
  }

  /** The market data, its listener forwarding to the runtime in `ref` once that is built. */
  private static async openMarketData(
    config: AppConfig,
    deps: RuntimeDeps,
    variant: RuntimeVariant,
    clock: LiveClock,
    plan: DeploymentPlan,
    ref: RuntimeRef,
    storage: RuntimeStorage,
  ): Promise<MarketDataChoice> {
    const log = deps.log;
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
      symbols: plan.symbols,
      timeframe: plan.baseTimeframe,
      listener,
      log,
      clock,
      syntheticStore: new SyntheticMarketStore(storage.db),
      allowFallback: variant.allowMarketFallback,
      onRequestProblem: (p) => ref.runtime?.requestProblem(p),
      ...(deps.exchangeFactory ? { exchangeFactory: deps.exchangeFactory } : {}),
    });
    log.info({ source: market.source, detail: market.detail }, `market data: ${market.detail}`);
    return market;
  }

  /** The journal's open orders, back in the OMS and the venue. */
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

  /** The circuit breakers as configured, anchored where the last run left them. */
  private restoreBreakers(): void {
    const risk = this.config.risk;
    this.node.risk.configureBreakers({
      dailyLossLimitPct: risk.dailyLossLimitPct,
      maxDrawdownPct: risk.maxDrawdownPct,
      breakerState: risk.breakerState,
      consecutiveLossLimit: risk.consecutiveLossLimit,
      cooldownMs: risk.cooldownMs,
    });
    this.breaker.restore(this.clock.now());
  }

  /** Each change of the trading state is saved; the last run's state comes back (a halt survives a restart). */
  private restoreTradingState(): void {
    const { node, stores, clock, log } = this;
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
  }

  /**
   * A cancel outlives the process: an open order whose cancel was journaled but never
   * confirmed by the venue before the stop (crash, kill -9, restart) is asked to cancel again,
   * once the venue holds the restored orders (live: reconciled, so an order the exchange ended
   * meanwhile is already closed) and before any strategy runs. The strategy that owns the order
   * hears of the cancel once it runs, after its warm-up (TradingNode holds its order events).
   */
  private resumeCancels(): void {
    const asked = this.node.oms.resumeCancels();
    if (asked.length > 0)
      this.log.warn(
        { orders: asked.map((o) => o.id) },
        `${asked.length} cancel(s) not confirmed before the last stop: asked of the venue again`,
      );
  }

  /**
   * A kill switch outlives the process: orders still open after a restart (a cancel the
   * exchange never confirmed before the stop, orders restored from the journal) are canceled
   * again before any strategy runs (each strategy hears of its cancels once it runs). A
   * breaker's HALTED keeps its orders, as before the stop.
   */
  private holdKillSwitch(): void {
    if (this.stores.risk.load()?.killSwitch !== true) return;
    const open = this.node.oms.openOrders();
    for (const o of open) this.node.oms.cancel(o.id, 'kill switch (still on at start)');
    if (open.length > 0)
      this.log.warn({ canceled: open.length }, 'kill switch still on: open orders canceled');
  }

  /** Each planned strategy on the node, its symbols fed at the base timeframe. */
  private addStrategies(plan: DeploymentPlan): void {
    const node = this.node;
    for (const { deployment: d, strategyClass, params } of plan.deployments) {
      for (const s of d.symbols) node.registerFeed(s, plan.baseTimeframe);
      node.addStrategy({
        id: d.id,
        strategyClass,
        params,
        symbols: d.symbols,
        timeframe: d.timeframe,
        sizing: parseSizing(d.sizing, node.instrument(d.symbols[0] as string).lotSize),
      });
    }
  }

  /** Every fill moves the paper account: snapshot it so a restart resumes exactly. */
  private snapshotLedgerOnFills(): void {
    const { node, stores, clock } = this;
    node.bus.subscribe(ORDER_EVENTS, (e) => {
      if (e.type !== 'OrderFilled') return;
      stores.ledger.save(this.runId, clock.now(), node.portfolio.ledger);
      this.breaker.check(clock.now());
    });
  }

  /** Start/stop and parameters set through the API before the last stop come back first. */
  private restoreStrategyControls(): void {
    const controls = new StrategyControls(this.db, this.node, this.config.strategies, () => this.clock.now());
    for (const r of controls.restore()) {
      this.log[r.outcome === 'restored' ? 'info' : 'warn'](
        { strategyId: r.strategyId, outcome: r.outcome },
        `strategy ${r.strategyId}: ${r.detail}`,
      );
      this.audit.record('strategy.control_restored', { ...r }, 'system');
    }
  }

  /**
   * Strategies start, are warmed up on recent history, then market data flows, and commands
   * queued by other processes are polled.
   */
  private async startTrading(plan: DeploymentPlan, stopAsked: AbortSignal | undefined): Promise<void> {
    const asked = (): boolean => stopAsked?.aborted === true;
    if (asked()) return;
    const warm = this.market.source === 'exchange' && this.config.marketData.warmupBars > 0;
    // Before onStart: timers strategies set there are armed only once warm-up ends.
    if (warm) this.node.beginWarmUp();
    this.node.start();
    if (warm) {
      this.warmUpProgress.begin(this.clock.now());
      try {
        await this.warmUp(plan, stopAsked);
      } finally {
        this.node.endWarmUp();
      }
    }
    // Stopped while the history was fetched: no live data for a stopped engine.
    if (this.stopped || asked()) return;
    await this.market.feed.start();
    this.commandTimer = setInterval(() => this.runCommands(), COMMAND_POLL_MS);
  }

  /**
   * Recent closed history of every strategy's symbols, from the exchange (else stored
   * candles), through the node's warm-up path: strategies and the dashboard's recent bars see
   * it; the venue, the portfolio's prices, risk, breakers and equity samples do not.
   */
  private async warmUp(plan: DeploymentPlan, stopAsked: AbortSignal | undefined): Promise<void> {
    const sandbox = this.config.exchange.sandbox;
    const stop = this.stopController.signal;
    const result = await warmUpStrategies({
      node: this.node,
      deployments: plan.deployments.map((p) => p.deployment),
      baseTimeframe: plan.baseTimeframe,
      bars: this.config.marketData.warmupBars,
      exchange: this.market.exchange,
      // Testnet candles are not the market's: they are neither stored nor taken from the store.
      candles: sandbox ? undefined : new CandleStore(this.db),
      exchangeName: this.market.exchange?.id ?? this.config.exchange.id,
      clock: this.clock,
      log: this.log,
      onBar: (bar) => {
        this.recentBars.add(bar);
        this.warmUpProgress.onBar(bar);
      },
      timeoutMs: this.config.marketData.warmupTimeoutMs,
      signal: stopAsked === undefined ? stop : AbortSignal.any([stop, stopAsked]),
    });
    if (!result.stopped) this.warmUpProgress.finish(result, this.clock.now());
  }

  /** The side services of src/app/services (audit, metrics, notifications, push), watching this engine. */
  private async startSideServices(deps: RuntimeDeps): Promise<void> {
    this.services = await startServices({
      mode: this.mode,
      config: this.config,
      log: this.log,
      audit: this.audit,
      logTail: deps.logTail,
      status: this,
      engine: this,
      now: () => this.clock.now(),
    });
  }

  private onBar(bar: Bar): void {
    if (!bar.closed) {
      // Strategies see the forming bar through onBarUpdate; the venue matches on closed bars or trades only.
      // An update of the forming bar is market data too: between the closes of a long bar it
      // keeps a feed without trade prints (the synthetic market) from reading as stale.
      this.lastData.set(bar.symbol, this.clock.now());
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
    return { node: this.node, risk: this.stores.risk, log: this.log, breaker: this.breaker };
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
      warmUp: this.warmUpProgress.status(),
      strategies: this.node.strategyInfos().map((s) => ({
        id: s.id,
        strategy: s.strategyClass.id,
        symbols: s.symbols,
        timeframe: s.timeframe,
        running: s.running && !this.stopped,
        warmUp: this.warmUpProgress.forStrategy(s),
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
    await listenApi(this.http, this.config.api.host, this.config.api.port ?? DEFAULT_PORTS[this.mode]);
    const addr = this.http.server.address();
    this.port = typeof addr === 'object' && addr !== null ? addr.port : 0;
    this.log.info(`${this.mode} engine: API on http://${this.config.api.host}:${this.port}/api/v1/status`);
  }

  /** Graceful stop: data off, strategies told, account snapshotted, run recorded, database closed. */
  stop(): Promise<void> {
    return this.shutdown('STOPPED');
  }

  /** Stops whatever runs and records how the run ended (FAILED: a start that did not complete). */
  private shutdown(status: 'STOPPED' | 'FAILED', error?: unknown): Promise<void> {
    this.stopping ??= this.release(status, error);
    return this.stopping;
  }

  private async release(status: 'STOPPED' | 'FAILED', error?: unknown): Promise<void> {
    this.stopped = true;
    this.stopController.abort();
    if (this.commandTimer !== undefined) clearInterval(this.commandTimer);
    // After a failed start the rest is released whatever one part says.
    const settle = (p: Promise<void>): Promise<void> => (status === 'FAILED' ? p.catch(() => undefined) : p);
    await stopServices(this.services);
    await settle(this.market.feed.stop());
    this.node.stop();
    await settle(this.venue.stop());
    this.clock.dispose();
    // A failed start keeps the last snapshot: every fill saved one, and a reconciliation that
    // failed halfway must not be kept as the account.
    try {
      if (status === 'STOPPED')
        this.stores.ledger.save(this.runId, this.clock.now(), this.node.portfolio.ledger);
      this.stores.runs.finish(this.runId, {
        stoppedAt: this.clock.now(),
        status,
        ...(error === undefined ? {} : { error: errorMessage(error) }),
      });
    } finally {
      // A record that cannot be written is reported by the rejection, but never keeps the API
      // listening and the database locked: the process must still be able to exit.
      await this.http?.close();
      await this.market.exchange?.close?.().catch(() => undefined);
      this.equityHistory.flush();
      this.closeStorage();
    }
  }
}

/**
 * A start that failed before the runtime was built: the market data opened (if it was), the
 * clock and the database are released and the run is recorded as failed.
 */
async function releaseUnbuilt(
  { stores, runId, close }: RuntimeStorage,
  clock: LiveClock,
  market: MarketDataChoice | undefined,
  error: unknown,
): Promise<void> {
  await market?.feed.stop().catch(() => undefined);
  await market?.exchange?.close?.().catch(() => undefined);
  stores.runs.finish(runId, { stoppedAt: clock.now(), status: 'FAILED', error: errorMessage(error) });
  clock.dispose();
  close();
}

function errorMessage(e: unknown): string {
  return secretRegistry.scrub(e instanceof Error ? e.message : String(e));
}

/** The runtime, once built: the market data listener and the node exist before it and reach it here. */
interface RuntimeRef {
  runtime?: TradingRuntime;
}

/**
 * The venue of `variant`, connected to the node: the node sends orders through the venue's
 * client, and the venue's execution reports flow back into the node.
 */
async function connectVenue(
  variant: RuntimeVariant,
  { config, node, market, audit, log }: Pick<VenueContext, 'config' | 'node' | 'market' | 'audit' | 'log'>,
  clock: LiveClock,
  { db, stores, runId }: RuntimeStorage,
): Promise<RuntimeVenue> {
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
  return venue;
}
