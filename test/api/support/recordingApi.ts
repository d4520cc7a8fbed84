import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { BacktestJobs } from '../../../src/api/backtests/BacktestJobs.js';
import { createApiServer } from '../../../src/api/createApiServer.js';
import type { EngineStatusSource } from '../../../src/api/EngineStatus.js';
import { ReadOnlyEngineApi } from '../../../src/api/engine/ReadOnlyEngineApi.js';
import type { CommandResultView, StrategyView } from '../../../src/api/views.js';
import { AppConfigSchema } from '../../../src/config/configSchema.js';
import { NULL_AUDIT } from '../../../src/monitor/AuditSink.js';
import { openDatabase } from '../../../src/storage/sqlite/openDatabase.js';

export const ADMIN = 'admin-token-0123456789abcdef';
export const auth = { authorization: `Bearer ${ADMIN}` };

const status: EngineStatusSource = {
  status: () => {
    throw new Error('not asked');
  },
  components: () => [{ name: 'database', ready: true, detail: 'test' }],
};

/** The read-only engine, but commands are recorded and succeed: what reached the engine, and with what. */
export class RecordingEngine extends ReadOnlyEngineApi {
  readonly calls: unknown[][] = [];
  override kill(...args: unknown[]): CommandResultView {
    this.calls.push(['kill', ...args]);
    return { ok: true, message: 'HALTED' };
  }
  override resume(...args: unknown[]): CommandResultView {
    this.calls.push(['resume', ...args]);
    return { ok: true, message: 'ACTIVE' };
  }
  override closePosition(...args: unknown[]): CommandResultView {
    this.calls.push(['close', ...args]);
    return { ok: true, message: 'closing' };
  }
  override stopStrategy(...args: unknown[]): StrategyView {
    this.calls.push(['stop', ...args]);
    const [id] = args as [string];
    return {
      id,
      strategy: 'sma-cross',
      description: '',
      symbols: [],
      timeframe: '1m',
      running: false,
      status: 'stopped',
      failure: null,
      params: {},
      paramsSchema: {},
    };
  }
}

const opened: { app: FastifyInstance; db: { close(): void } }[] = [];

/** Closes every server `recordingApi` opened (call in afterEach). */
export async function closeRecordingApis(): Promise<void> {
  for (const { app, db } of opened.splice(0)) {
    await app.close();
    db.close();
  }
}

/**
 * An api-mode REST server on a fresh SQLite file, one admin token, the RecordingEngine behind
 * it, and backtests reading `dataDir` (default: a `history` folder beside the database).
 */
export async function recordingApi(
  dataDir?: string,
): Promise<{ app: FastifyInstance; engine: RecordingEngine; dataDir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'qts-recording-api-'));
  const data = dataDir ?? join(dir, 'history');
  const db = openDatabase(join(dir, 'trading.db'));
  const engine = new RecordingEngine(db, 'USDT', 'binance', status);
  const app = await createApiServer({
    engine,
    config: AppConfigSchema.parse({
      mode: 'api',
      api: {
        tokens: [{ name: 'ada', role: 'admin', token: ADMIN }],
        jwt: { secret: 'recording-api-secret-0123456789abcdef' },
      },
    }),
    audit: NULL_AUDIT,
    startedAt: 0,
    now: () => 1_700_000_000_000,
    backtests: new BacktestJobs({
      dbPath: undefined,
      dataDir: data,
      defaultExchange: 'binance',
      maxRunning: 1,
      now: () => 1_700_000_000_000,
    }),
  });
  opened.push({ app, db });
  return { app, engine, dataDir: data };
}
