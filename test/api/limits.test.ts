import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiServer } from '../../src/api/createApiServer.js';
import type { EngineStatusSource } from '../../src/api/EngineStatus.js';
import { ReadOnlyEngineApi } from '../../src/api/engine/ReadOnlyEngineApi.js';
import type { AppConfig } from '../../src/config/configSchema.js';
import { AppConfigSchema } from '../../src/config/configSchema.js';
import { NULL_AUDIT } from '../../src/monitor/AuditSink.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';

const ADMIN = 'admin-token-0123456789abcdef';
const status: EngineStatusSource = {
  status: () => {
    throw new Error('not asked');
  },
  components: () => [{ name: 'database', ready: true, detail: 'test' }],
};

const dbs: { close(): void }[] = [];

/** An api-mode server (read-only engine over a real SQLite file) on a clock the test moves. */
async function server(api: Record<string, unknown>, clock: { now: number }): Promise<FastifyInstance> {
  const config: AppConfig = AppConfigSchema.parse({
    mode: 'api',
    api: {
      tokens: [{ name: 'ada', role: 'admin', token: ADMIN }],
      jwt: { secret: 'limits-test-secret-0123456789abcdef', ttlSeconds: 60 },
      ...api,
    },
  });
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'qts-limits-')), 'trading.db'));
  const app = await createApiServer({
    engine: new ReadOnlyEngineApi(db, 'USDT', 'binance', status),
    config,
    audit: NULL_AUDIT,
    startedAt: clock.now,
    now: () => clock.now,
  });
  dbs.push(db);
  return app;
}

describe('API limits', () => {
  const apps: FastifyInstance[] = [];
  afterEach(async () => {
    for (const a of apps.splice(0)) await a.close();
    for (const d of dbs.splice(0)) d.close();
  });

  it('answers 429 once a client exceeds the request budget, with the limit in the message', async () => {
    const app = await server({ rateLimit: { max: 5, windowMs: 60_000 } }, { now: 1_700_000_000_000 });
    apps.push(app);
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await app.inject({ url: '/api/v1/health' })).statusCode);
    expect(codes).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const r = await app.inject({ url: '/api/v1/health' });
    expect(r.json()).toMatchObject({
      error: 'ERR_RATE_LIMITED',
      message: expect.stringContaining('5') as unknown,
    });
    expect(r.headers['retry-after']).toBeDefined();
  });

  it('blocks an address after repeated failed logins or bad tokens, even with good ones, until the window passes', async () => {
    const clock = { now: 1_700_000_000_000 };
    const app = await server({ rateLimit: { authFailures: 3, authWindowMs: 60_000 } }, clock);
    apps.push(app);
    const login = (token: string) =>
      app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { name: 'ada', token } });
    expect((await login('wrong-1')).statusCode).toBe(401);
    expect((await login('wrong-2')).statusCode).toBe(401);
    expect(
      (await app.inject({ url: '/api/v1/status', headers: { authorization: 'Bearer guess' } })).statusCode,
    ).toBe(401);
    const blocked = await login(ADMIN);
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(
      (await app.inject({ url: '/api/v1/risk', headers: { authorization: `Bearer ${ADMIN}` } })).statusCode,
    ).toBe(429);
    // Health stays answerable for load balancers.
    expect((await app.inject({ url: '/api/v1/health' })).statusCode).toBe(200);
    clock.now += 60_000;
    expect((await login(ADMIN)).statusCode).toBe(200);
  });

  it('logins and bearer guesses sent at once: only as many answers as the limit say 401, the rest 429', async () => {
    const app = await server({ rateLimit: { authFailures: 3, authWindowMs: 60_000 } }, { now: 0 });
    apps.push(app);
    const logins = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { name: 'ada', token: `wrong-${i}` },
        }),
      ),
    );
    const codes = logins.map((r) => r.statusCode).sort();
    expect(codes).toEqual([401, 401, 401, 429, 429, 429, 429, 429]);

    const other = await server({ rateLimit: { authFailures: 3, authWindowMs: 60_000 } }, { now: 0 });
    apps.push(other);
    const bearers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        other.inject({ url: '/api/v1/status', headers: { authorization: `Bearer guess-${i}` } }),
      ),
    );
    expect(bearers.map((r) => r.statusCode).sort()).toEqual([401, 401, 401, 429, 429, 429, 429, 429]);
  });

  it('issues session tokens that expire by the server clock; login is 404 without a JWT secret', async () => {
    const clock = { now: 1_700_000_000_000 };
    const app = await server({}, clock);
    apps.push(app);
    const session = (
      await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { name: 'ada', token: ADMIN } })
    ).json<{
      token: string;
      expiresAt: number;
    }>();
    expect(session.expiresAt).toBe(clock.now + 60_000);
    const risk = () =>
      app.inject({ url: '/api/v1/risk', headers: { authorization: `Bearer ${session.token}` } });
    expect((await risk()).statusCode).toBe(200);
    clock.now += 61_000;
    expect((await risk()).statusCode).toBe(401);

    const noLogin = await server({ jwt: {} }, clock);
    apps.push(noLogin);
    const r = await noLogin.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { name: 'ada', token: ADMIN },
    });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ error: 'ERR_LOGIN_DISABLED' });
  });

  it('opens CORS to configured origins only', async () => {
    const app = await server({ corsOrigins: ['http://dash.example:5173'] }, { now: 0 });
    apps.push(app);
    const ok = await app.inject({ url: '/api/v1/health', headers: { origin: 'http://dash.example:5173' } });
    expect(ok.headers['access-control-allow-origin']).toBe('http://dash.example:5173');
    const other = await app.inject({ url: '/api/v1/health', headers: { origin: 'http://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses to build on a non-loopback address without tokens', async () => {
    await expect(server({ host: '0.0.0.0', tokens: [] }, { now: 0 })).rejects.toMatchObject({
      code: 'ERR_API_AUTH_REQUIRED',
    });
  });

  it('api mode trades nothing: every command is a 409 ERR_API_READ_ONLY', async () => {
    const app = await server({}, { now: 0 });
    apps.push(app);
    const auth = { authorization: `Bearer ${ADMIN}` };
    for (const [method, url, payload] of [
      ['POST', '/api/v1/orders/Q1/cancel', {}],
      ['POST', '/api/v1/positions/close', { symbol: 'BTC/USDT' }],
      ['POST', '/api/v1/risk/kill', {}],
      ['POST', '/api/v1/risk/resume', {}],
      ['POST', '/api/v1/strategies/x/start', {}],
      ['POST', '/api/v1/strategies/x/stop', {}],
      ['PUT', '/api/v1/strategies/x/params', { params: {} }],
    ] as const) {
      const r = await app.inject({ method, url, payload, headers: auth });
      expect(`${url} ${r.statusCode} ${r.json<{ error: string }>().error}`).toBe(
        `${url} 409 ERR_API_READ_ONLY`,
      );
    }
  });
});
