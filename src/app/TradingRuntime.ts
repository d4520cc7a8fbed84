import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ComponentHealth, EngineStatus, EngineStatusSource } from '../api/EngineStatus.js';
import { checkApiExposure } from '../api/auth/checkApiExposure.js';
import { EquityHistory } from '../api/engine/EquityHistory.js';
import { RecentBars } from '../api/engine/RecentBars.js';
import type { TradingEngineHost } from '../api/engine/TradingEngineApi.js';
import { TradingEngineApi } from '../api/engine/TradingEngineApi.js';
import type { AppConfig } from '../config/configSchema.js';
import { DEFAULT_PORTS } from '../config/configSchema.js';
import { LiveClock } from '../kernel/LiveClock.js';
import type { TradingNode } from '../node/TradingNode.js';
import type { SqliteDatabase } from '../storage/sqlite/openDatabase.js';
import { BreakerAnchorStore } from './BreakerAnchorStore.js';
import type { EngineFaults } from './EngineFaults.js';
import { createEngineApiServer } from './createEngineApiServer.js';
import { engineComponentsOf } from './engineComponentsOf.js';
import { engineStatusOf } from './engineStatusOf.js';
import { openEngineParts } from './openEngineParts.js';
import type { RuntimeStorage, RuntimeStores } from './openRuntimeStorage.js';
import { openRuntimeStorage } from './openRuntimeStorage.js';
import type { DeploymentPlan } from './planDeployments.js';
import { planDeployments } from './planDeployments.js';
import { releaseRuntime } from './releaseRuntime.js';
import { releaseUnbuilt } from './releaseUnbuilt.js';
import { RuntimeCommands } from './RuntimeCommands.js';
import type { RuntimeDeps } from './RuntimeDeps.js';
import { RuntimeMarketData } from './RuntimeMarketData.js';
import { RuntimeRestore } from './RuntimeRestore.js';
import type { RuntimeVenue } from './RuntimeVenue.js';
import type { RuntimeVariant } from './RuntimeVariant.js';
import { SHADOW_VARIANT } from './RuntimeVariant.js';
import type { MarketDataChoice } from './selectMarketData.js';
import type { EngineHandle, RunningService } from './services/ServiceContext.js';
import { startServices } from './services/index.js';
import type { AuditSink } from '../monitor/AuditSink.js';
import { NULL_AUDIT } from '../monitor/AuditSink.js';
import type { RequestProblemHook } from '../exchanges/ccxt/requestProblem.js';
import { EquitySampleStore } from '../storage/sqlite/EquitySampleStore.js';
import { listenApi } from './listenApi.js';
import { startWarmedUp } from './startWarmedUp.js';
import type { StrategyFailureListener } from './StrategyFailureReporter.js';
import { StrategyFailureReporter } from './StrategyFailureReporter.js';
import { WarmUpProgress } from './WarmUpProgress.js';

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
  /** Wall time of the last bar or trade per symbol (the market data's, shared). */
  readonly lastData: Map<string, number>;
  /** Closed bars seen lately and the equity over this run, for the API's charts. */
  readonly recentBars = new RecentBars();
  /** The equity curve: this run in memory, sampled into SQLite so a restart keeps the history. */
  readonly equityHistory: EquityHistory;
  /** Circuit-breaker anchors kept across restarts (day start and peak equity). */
  private readonly breaker: BreakerAnchorStore;
  private http: FastifyInstance | undefined;
  /** The kill switch, from the API or queued by the CLI. */
  private readonly commands: RuntimeCommands;
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
    private readonly marketData: RuntimeMarketData,
    private readonly failures: StrategyFailureReporter,
    faults: EngineFaults,
  ) {
    this.lastData = marketData.lastData;
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
    this.commands = new RuntimeCommands(
      { node, risk: stores.risk, log, breaker: this.breaker },
      stores.commands,
      () => clock.now(),
    );
    this.equityHistory = new EquityHistory(5_000, 1_000, {
      store: new EquitySampleStore(db),
      runId,
      sampleMs: config.history.equitySampleMs,
      maxSamples: config.history.equityMaxSamples,
    });
    // From here on the market data opened before the engine existed drives it.
    marketData.attach({
      clock,
      node,
      venue,
      recentBars: this.recentBars,
      equityHistory: this.equityHistory,
      breaker: this.breaker,
      log,
      faults,
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
    const plan = await planDeployments(config, mode);
    const storage = openRuntimeStorage(config, mode, () => clock.now(), log);
    // Market data first: the instruments come from the exchange when it answers.
    // The listener exists before the runtime it feeds (the feed decides the instruments).
    const marketData = new RuntimeMarketData();
    const audit = deps.audit ?? NULL_AUDIT;
    // A strategy whose handler throws is quarantined, never the engine (see StrategyFailureReporter).
    const failures = new StrategyFailureReporter(log, audit);
    const { market, node, venue, faults } = await openEngineParts({
      config,
      variant,
      log,
      audit,
      clock,
      plan,
      storage,
      marketData,
      failures,
      exchangeFactory: deps.exchangeFactory,
    });
    let runtime: TradingRuntime;
    try {
      runtime = new TradingRuntime(
        config,
        storage,
        clock,
        mode,
        node,
        venue,
        market,
        log,
        audit,
        marketData,
        failures,
        faults,
      );
    } catch (e) {
      // The runtime's own construction failing is released like a failed open.
      await releaseUnbuilt(storage, clock, market, e);
      throw e;
    }
    try {
      const restore = runtime.restore();
      restore.beforeVenue(plan);
      // Live: the account is reconciled with the exchange before any strategy may send an order.
      // Order events of the start (fills reconciled, cancels resumed, the kill switch held) are
      // booked now and handed to the strategy owning the order once it runs (TradingNode).
      await runtime.venue.prepare();
      restore.afterVenue();
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

  /** The last run's state, coming back around the venue's preparation. */
  private restore(): RuntimeRestore {
    const { config, node, venue, clock, log, audit, db, runId, stores, breaker } = this;
    return new RuntimeRestore({ config, node, venue, clock, log, audit, db, runId, stores, breaker });
  }

  /**
   * Strategies start, are warmed up on recent history, then market data flows, and commands
   * queued by other processes are polled.
   */
  private async startTrading(plan: DeploymentPlan, stopAsked: AbortSignal | undefined): Promise<void> {
    const asked = (): boolean => stopAsked?.aborted === true;
    if (asked()) return;
    await startWarmedUp(this, plan, { stop: this.stopController.signal, stopAsked });
    // Stopped while the history was fetched: no live data for a stopped engine.
    if (this.stopped || asked()) return;
    await this.market.feed.start();
    this.commands.startPolling();
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

  isStale(symbol: string): boolean {
    return this.marketData.isStale(symbol);
  }

  /** Executes commands queued by other processes (the CLI kill switch). */
  runCommands(): void {
    this.commands.runPending();
  }

  /** Kill switch: cancel every open order, flatten on request, then HALTED (persisted). */
  kill(flatten: boolean, reason: string, by: string): string {
    return this.commands.kill(flatten, reason, by);
  }

  resume(reason: string, by: string): string {
    return this.commands.resume(reason, by);
  }

  status(): EngineStatus {
    const { mode, market, startedAt, node, warmUpProgress, stopped } = this;
    const risk = this.stores.risk.load();
    return engineStatusOf({
      mode,
      market,
      startedAt,
      now: this.clock.now(),
      node,
      risk,
      warmUpProgress,
      stopped,
    });
  }

  components(): ComponentHealth[] {
    const { db, config, node, venue, services } = this;
    const marketData = (): ComponentHealth =>
      this.marketData.health(config, this.market.detail, this.clock.now());
    return engineComponentsOf({ db, dbPath: config.storage.dbPath, marketData, node, venue, services });
  }

  onRequestProblem(listener: RequestProblemHook): () => void {
    return this.marketData.onRequestProblem(listener);
  }

  onStrategyFailure(listener: StrategyFailureListener): () => void {
    return this.failures.subscribe(listener);
  }

  /** The HTTP port actually bound (0 before listen or without HTTP). */
  port = 0;

  private async listen(instrument: ((app: FastifyInstance) => void) | undefined): Promise<void> {
    this.http = await createEngineApiServer(new TradingEngineApi(this), {
      config: this.config,
      audit: this.audit,
      startedAt: this.startedAt,
      now: () => this.clock.now(),
      instrument,
      services: () => this.services,
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

  private release(status: 'STOPPED' | 'FAILED', error?: unknown): Promise<void> {
    this.stopped = true;
    this.stopController.abort();
    this.commands.stopPolling();
    const { services, market, node, venue, clock, stores, runId, http, equityHistory, closeStorage } = this;
    return releaseRuntime(
      { services, market, node, venue, clock, stores, runId, http, equityHistory, closeStorage },
      status,
      error,
    );
  }
}
