import { closeExchange } from '../exchanges/ccxt/closeExchange.js';
import { EngineFaults } from './EngineFaults.js';
import type { Exchange } from 'ccxt';
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
import type { Millis } from '../core/time.js';
import { LiveClock } from '../kernel/LiveClock.js';
import type { TradingNode } from '../node/TradingNode.js';
import type { SqliteDatabase } from '../storage/sqlite/openDatabase.js';
import { BreakerAnchorStore } from './BreakerAnchorStore.js';
import { connectVenue } from './connectVenue.js';
import { createEngineApiServer } from './createEngineApiServer.js';
import { engineStatusOf } from './engineStatusOf.js';
import type { RuntimeStorage, RuntimeStores } from './openRuntimeStorage.js';
import { openRuntimeStorage } from './openRuntimeStorage.js';
import type { DeploymentPlan } from './planDeployments.js';
import { planDeployments } from './planDeployments.js';
import { failureMessage, releaseUnbuilt } from './releaseUnbuilt.js';
import { resumeNode } from './resumeNode.js';
import type { KillSwitchTarget } from './killSwitch.js';
import { engageKillSwitch, liftKillSwitch } from './killSwitch.js';
import { RuntimeMarketData } from './RuntimeMarketData.js';
import { RuntimeRestore } from './RuntimeRestore.js';
import type { RuntimeVenue } from './RuntimeVenue.js';
import type { RuntimeVariant } from './RuntimeVariant.js';
import { SHADOW_VARIANT } from './RuntimeVariant.js';
import type { MarketDataChoice } from './selectMarketData.js';
import type { EngineHandle, RunningService } from './services/ServiceContext.js';
import { startServices, stopServices } from './services/index.js';
import type { AuditSink } from '../monitor/AuditSink.js';
import { NULL_AUDIT } from '../monitor/AuditSink.js';
import type { RequestProblemHook } from '../exchanges/ccxt/requestProblem.js';
import type { LogTail } from '../monitor/LogTail.js';
import { EquitySampleStore } from '../storage/sqlite/EquitySampleStore.js';
import { listenApi } from './listenApi.js';
import { startWarmedUp } from './startWarmedUp.js';
import type { StrategyFailureListener } from './StrategyFailureReporter.js';
import { StrategyFailureReporter } from './StrategyFailureReporter.js';
import { WarmUpProgress } from './WarmUpProgress.js';

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
  /** Wall time of the last bar or trade per symbol (the market data's, shared). */
  readonly lastData: Map<string, number>;
  /** Closed bars seen lately and the equity over this run, for the API's charts. */
  readonly recentBars = new RecentBars();
  /** The equity curve: this run in memory, sampled into SQLite so a restart keeps the history. */
  readonly equityHistory: EquityHistory;
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
    let market: MarketDataChoice | undefined;
    let runtime: TradingRuntime;
    try {
      market = await marketData.open({
        config,
        log,
        clock,
        plan,
        db: storage.db,
        allowFallback: variant.allowMarketFallback,
        exchangeFactory: deps.exchangeFactory,
      });
      const node = resumeNode(
        config,
        clock,
        market,
        storage,
        log,
        (symbol) => marketData.lastData.get(symbol),
        (f) => failures.report(f),
      );
      // One record of engine faults for the market-data path and the venue's own reports.
      const faults = new EngineFaults(node, log, () => clock.now());
      const engineFault = (err: unknown, what: string): void => faults.fault(err, what);
      const venue = await connectVenue(
        variant,
        { config, node, market, audit, log, engineFault },
        clock,
        storage,
      );
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
    this.commandTimer = setInterval(() => this.runCommands(), COMMAND_POLL_MS);
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
    let dbOk = true;
    try {
      this.db.prepare('SELECT 1').get();
    } catch {
      dbOk = false;
    }
    return [
      this.marketData.health(this.config, this.market.detail, this.clock.now()),
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
      if (status === 'STOPPED') this.stores.ledger.save(this.runId, this.clock.now(), this.node.portfolio);
      this.stores.runs.finish(this.runId, {
        stoppedAt: this.clock.now(),
        status,
        ...(error === undefined ? {} : { error: failureMessage(error) }),
      });
    } finally {
      // A record that cannot be written is reported by the rejection, but never keeps the API
      // listening and the database locked: the process must still be able to exit.
      await this.http?.close();
      const md = this.market.exchange;
      if (md !== undefined) await closeExchange(md).catch(() => undefined);
      this.equityHistory.flush();
      this.closeStorage();
    }
  }
}
