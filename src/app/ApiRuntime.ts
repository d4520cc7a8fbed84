import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ComponentHealth, EngineStatus, EngineStatusSource } from '../api/EngineStatus.js';
import { checkApiExposure } from '../api/auth/checkApiExposure.js';
import { ReadOnlyEngineApi } from '../api/engine/ReadOnlyEngineApi.js';
import type { AppConfig } from '../config/configSchema.js';
import type { SqliteDatabase } from '../storage/sqlite/openDatabase.js';
import { openDatabase } from '../storage/sqlite/openDatabase.js';
import { NULL_AUDIT } from '../monitor/AuditSink.js';
import type { AuditSink } from '../monitor/AuditSink.js';
import type { LogTail } from '../monitor/LogTail.js';
import type { RunningService } from './services/ServiceContext.js';
import { startServices, stopServices } from './services/index.js';
import { listenApi } from './listenApi.js';
import { createEngineApiServer } from './createEngineApiServer.js';

/**
 * api mode: stored market data, history and backtests on request, and no strategy — a
 * research server that can never trade (it has no venue, no OMS, no keys).
 */
export class ApiRuntime implements EngineStatusSource {
  port = 0;
  private readonly startedAt = Date.now();
  private services: RunningService[] = [];

  private constructor(
    private readonly config: AppConfig,
    private readonly db: SqliteDatabase,
    private readonly http: FastifyInstance,
  ) {}

  static async start(
    config: AppConfig,
    log: Logger,
    opts: {
      audit?: AuditSink;
      noServices?: boolean;
      logTail?: LogTail;
      instrumentApi?: (app: FastifyInstance) => void;
    } = {},
  ): Promise<ApiRuntime> {
    checkApiExposure(config);
    mkdirSync(dirname(config.storage.dbPath), { recursive: true });
    const db = openDatabase(config.storage.dbPath);
    const holder: { rt?: ApiRuntime } = {};
    const status: EngineStatusSource = {
      status: () => holder.rt!.status(),
      components: () => holder.rt!.components(),
    };
    const now = (): number => Date.now();
    let http: FastifyInstance;
    try {
      http = await createEngineApiServer(
        new ReadOnlyEngineApi(db, config.account.currency, config.exchange.id, status),
        {
          config,
          audit: opts.audit ?? NULL_AUDIT,
          startedAt: now(),
          now,
          instrument: opts.instrumentApi,
          services: () => holder.rt?.services ?? [],
        },
      );
    } catch (e) {
      db.close();
      throw e;
    }
    const rt = new ApiRuntime(config, db, http);
    holder.rt = rt;
    try {
      await listenApi(http, config.api.host, config.api.port ?? 3002);
      const addr = http.server.address();
      rt.port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      if (opts.noServices !== true)
        rt.services = await startServices({
          mode: 'api',
          config,
          log,
          audit: opts.audit ?? NULL_AUDIT,
          logTail: opts.logTail,
          status,
          engine: undefined,
          now: () => Date.now(),
        });
    } catch (e) {
      // A port already taken (or a side service that cannot start) leaves nothing open.
      await rt.stop().catch(() => undefined);
      throw e;
    }
    log.info(`api mode (no trading): http://${config.api.host}:${rt.port}/docs`);
    return rt;
  }

  status(): EngineStatus {
    return {
      mode: 'api',
      marketData: { source: 'none', detail: 'stored history only (qts data download/import)' },
      startedAt: this.startedAt,
      now: Date.now(),
      tradingState: 'NONE',
      tradingStateReason: 'api mode runs no strategy',
      currency: this.config.account.currency,
      equity: 0,
      cash: '0',
      positions: [],
      openOrders: 0,
      warmUp: {
        state: 'off',
        bars: this.config.marketData.warmupBars,
        timeoutMs: this.config.marketData.warmupTimeoutMs,
        timedOut: false,
        startedAt: null,
        finishedAt: null,
        symbols: [],
        detail: 'off: api mode runs no strategy',
      },
      strategies: [],
    };
  }

  components(): ComponentHealth[] {
    let ok = true;
    try {
      this.db.prepare('SELECT 1').get();
    } catch {
      ok = false;
    }
    return [
      { name: 'database', ready: ok, detail: this.config.storage.dbPath },
      ...this.services.flatMap((s) => (s.health ? [s.health()] : [])),
    ];
  }

  async stop(): Promise<void> {
    await stopServices(this.services);
    await this.http.close();
    this.db.close();
  }
}
