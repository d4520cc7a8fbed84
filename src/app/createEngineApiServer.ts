import type { FastifyInstance } from 'fastify';
import { createApiServer } from '../api/createApiServer.js';
import { BacktestJobs } from '../api/backtests/BacktestJobs.js';
import type { EngineApi } from '../api/EngineApi.js';
import type { AppConfig } from '../config/configSchema.js';
import type { AuditSink } from '../monitor/AuditSink.js';
import { webAppFor } from '../monitor/dashboard/webAppFor.js';
import { instrumentApiFor } from './services/httpMetrics.js';
import type { RunningService } from './services/ServiceContext.js';

/** What the REST server of an engine is built from. */
export interface EngineApiServerInput {
  readonly config: AppConfig;
  readonly audit: AuditSink;
  readonly startedAt: number;
  readonly now: () => number;
  /** Hooks added before the routes; by default the HTTP metrics of the side services. */
  readonly instrument: ((app: FastifyInstance) => void) | undefined;
  /** The side services, read when asked: they start after the API listens. */
  readonly services: () => readonly RunningService[];
}

/**
 * The REST server of an engine (not yet listening; trading or API-only): the engine's API,
 * the dashboard's web app and the backtest jobs, which run beside the engine on the same
 * database.
 */
export function createEngineApiServer(
  engine: EngineApi,
  { config, audit, startedAt, now, instrument, services }: EngineApiServerInput,
): Promise<FastifyInstance> {
  return createApiServer({
    engine,
    config,
    audit,
    startedAt,
    now,
    instrument: instrument ?? instrumentApiFor(services),
    web: webAppFor(config, services),
    backtests: new BacktestJobs({
      dbPath: config.storage.dbPath,
      dataDir: config.api.backtestDataDir,
      defaultExchange: config.exchange.id,
      maxRunning: config.api.maxBacktests,
      now,
    }),
  });
}
