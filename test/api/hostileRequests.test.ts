import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { BacktestJobs } from '../../src/api/backtests/BacktestJobs.js';
import { createApiServer } from '../../src/api/createApiServer.js';
import type { EngineStatusSource } from '../../src/api/EngineStatus.js';
import { ReadOnlyEngineApi } from '../../src/api/engine/ReadOnlyEngineApi.js';
import type { CommandResultView, StrategyView } from '../../src/api/views.js';
import { AppConfigSchema } from '../../src/config/configSchema.js';
import { NULL_AUDIT } from '../../src/monitor/AuditSink.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';

const ADMIN = 'admin-token-0123456789abcdef';
const auth = { authorization: `Bearer ${ADMIN}` };
const status: EngineStatusSource = {
  status: () => {
    throw new Error('not asked');
  },
  components: () => [{ name: 'database', ready: true, detail: 'test' }],
};

/** The read-only engine, but commands are recorded and succeed: what reached the engine, and with what. */
class RecordingEngine extends ReadOnlyEngineApi {
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
afterEach(async () => {
  for (const { app, db } of opened.splice(0)) {
    await app.close();
    db.close();
  }
});

async function server(): Promise<{ app: FastifyInstance; engine: RecordingEngine; dataDir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'qts-hostile-'));
  const dataDir = join(dir, 'history');
  const db = openDatabase(join(dir, 'trading.db'));
  const engine = new RecordingEngine(db, 'USDT', 'binance', status);
  const app = await createApiServer({
    engine,
    config: AppConfigSchema.parse({
      mode: 'api',
      api: {
        tokens: [{ name: 'ada', role: 'admin', token: ADMIN }],
        jwt: { secret: 'hostile-test-secret-0123456789abcdef' },
      },
    }),
    audit: NULL_AUDIT,
    startedAt: 0,
    now: () => 1_700_000_000_000,
    backtests: new BacktestJobs({
      dbPath: undefined,
      dataDir,
      defaultExchange: 'binance',
      maxRunning: 1,
      now: () => 1_700_000_000_000,
    }),
  });
  opened.push({ app, db });
  return { app, engine, dataDir };
}

describe('hostile and careless requests', () => {
  it('runs kill, resume and stop sent without any body (every field optional) with the defaults', async () => {
    const { app, engine } = await server();
    for (const url of ['/api/v1/risk/kill', '/api/v1/risk/resume', '/api/v1/strategies/sma/stop']) {
      const r = await app.inject({ method: 'POST', url, headers: auth });
      expect(`${url} ${r.statusCode} ${r.body}`).toMatch(new RegExp(`^${url} 200 `));
    }
    expect(engine.calls).toEqual([
      ['kill', false, 'kill switch (API)', 'api:ada'],
      ['resume', 'resume (API)', 'api:ada'],
      ['stop', 'sma', false, 'api:ada'],
    ]);
  });

  it('refuses unknown body fields with a 400 naming them, before anything reaches the engine', async () => {
    const { app, engine } = await server();
    for (const [method, url, payload] of [
      // A misspelt quantity must not close the whole position.
      ['POST', '/api/v1/positions/close', { symbol: 'BTC/USDT', qty: '0.01' }],
      ['POST', '/api/v1/risk/kill', { flaten: true }],
      ['POST', '/api/v1/risk/resume', { reason: 'ok', force: true }],
      ['POST', '/api/v1/strategies/sma/stop', { cancelorders: true }],
      ['PUT', '/api/v1/strategies/sma/params', { params: {}, restart: false }],
      ['POST', '/api/v1/auth/login', { name: 'ada', token: ADMIN, role: 'admin' }],
      ['POST', '/api/v1/backtests', { strategy: 'sma-cross', file: 'x.csv', capital: 5 }],
    ] as const) {
      const r = await app.inject({ method, url, payload, headers: auth });
      expect(`${url} ${r.statusCode}`).toBe(`${url} 400`);
      expect(r.json()).toMatchObject({
        error: 'ERR_BAD_REQUEST',
        message: expect.stringMatching(/Unrecognized key/) as unknown,
      });
    }
    expect(engine.calls).toEqual([]);
  });

  it('reads numeric query parameters as digits only: empty, blank, hex or exponent is a 400, not 0', async () => {
    const { app } = await server();
    for (const [query, field] of [
      ['orders?to=', 'to'],
      ['orders?from=%20', 'from'],
      ['orders?from=0x10', 'from'],
      ['fills?limit=1e3', 'limit'],
      ['fills?offset=', 'offset'],
      ['pnl?to=', 'to'],
      ['pnl/equity?points=', 'points'],
      ['audit?from=-1', 'from'],
      ['history/runs?limit=10.5', 'limit'],
    ] as const) {
      const r = await app.inject({ url: `/api/v1/${query}`, headers: auth });
      expect(`${query} ${r.statusCode}`).toBe(`${query} 400`);
      expect(r.json<{ message: string }>().message).toMatch(new RegExp(`^${field}: `));
    }
    for (const query of ['orders?from=0&to=1700000000000&limit=5&offset=0', 'pnl/equity?points=2']) {
      expect((await app.inject({ url: `/api/v1/${query}`, headers: auth })).statusCode).toBe(200);
    }
  });

  it("answers the router's own refusals (overlong id, broken %-encoding) in the API's error shape", async () => {
    const { app } = await server();
    const long = await app.inject({ url: `/api/v1/orders/${'a'.repeat(5_000)}`, headers: auth });
    expect(long.statusCode).toBe(414);
    expect(long.json()).toEqual({
      error: 'ERR_BAD_REQUEST',
      message: 'a path segment is longer than 100 characters',
    });
    const broken = await app.inject({ url: '/api/v1/orders/%E0%A4%A', headers: auth });
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toEqual({ error: 'ERR_BAD_REQUEST', message: 'the URL is not validly encoded' });
  });

  it('checks a backtest’s sizing and lot when it is posted (400), not in the worker after a 202', async () => {
    const { app, dataDir } = await server();
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'x.csv'), '');
    const post = (extra: Record<string, unknown>) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/backtests',
        headers: auth,
        payload: { strategy: 'sma-cross', file: 'x.csv', ...extra },
      });
    for (const [extra, field] of [
      [{ sizing: 'fixed:1.2.3' }, 'sizing'],
      [{ sizing: 'fixed:0' }, 'sizing'],
      [{ sizing: 'percent:0' }, 'sizing'],
      [{ sizing: 'percent:101' }, 'sizing'],
      [{ lot: 1e-300 }, 'lot'],
    ] as const) {
      const r = await post(extra);
      expect(`${JSON.stringify(extra)} ${r.statusCode}`).toBe(`${JSON.stringify(extra)} 400`);
      expect(r.json()).toMatchObject({
        error: 'ERR_BAD_REQUEST',
        message: expect.stringMatching(new RegExp(`^${field}: `)) as unknown,
      });
    }
    expect((await app.inject({ url: '/api/v1/backtests', headers: auth })).json()).toEqual({ items: [] });
    expect((await post({ sizing: 'percent:50', lot: 0.001 })).statusCode).toBe(202);
  });
});
