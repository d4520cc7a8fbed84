import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BacktestJobs } from '../../../src/api/backtests/BacktestJobs.js';
import { createApiServer } from '../../../src/api/createApiServer.js';
import { ReadOnlyEngineApi } from '../../../src/api/engine/ReadOnlyEngineApi.js';
import type { EngineStatusSource } from '../../../src/api/EngineStatus.js';
import { AppConfigSchema } from '../../../src/config/configSchema.js';
import { NULL_AUDIT } from '../../../src/monitor/AuditSink.js';
import { openDatabase } from '../../../src/storage/sqlite/openDatabase.js';

/**
 * The role every route of the REST API needs, as docs/api.md states it. A route added
 * without an entry here fails the first test: whoever adds it must decide who may call it,
 * and a mutating route left at the default (viewer) fails the second.
 */
const EXPECTED: Readonly<Record<string, 'public' | 'viewer' | 'trader' | 'admin'>> = {
  'GET /api/v1/health': 'public',
  'GET /api/v1/health/ready': 'public',
  'GET /api/v1/status': 'viewer',
  'POST /api/v1/auth/login': 'public',
  'GET /api/v1/auth/me': 'viewer',
  'GET /api/v1/strategies': 'viewer',
  'GET /api/v1/strategies/catalog': 'viewer',
  'GET /api/v1/strategies/:id': 'viewer',
  'POST /api/v1/strategies/:id/start': 'trader',
  'POST /api/v1/strategies/:id/stop': 'trader',
  'PUT /api/v1/strategies/:id/params': 'trader',
  'GET /api/v1/orders': 'viewer',
  'GET /api/v1/orders/:id': 'viewer',
  'POST /api/v1/orders/:id/cancel': 'trader',
  'PATCH /api/v1/orders/:id': 'trader',
  'GET /api/v1/fills': 'viewer',
  'GET /api/v1/positions': 'viewer',
  'GET /api/v1/balances': 'viewer',
  'POST /api/v1/positions/close': 'trader',
  'GET /api/v1/pnl': 'viewer',
  'GET /api/v1/pnl/equity': 'viewer',
  'GET /api/v1/risk': 'viewer',
  'POST /api/v1/risk/kill': 'trader',
  'POST /api/v1/risk/resume': 'admin',
  'GET /api/v1/market/symbols': 'viewer',
  'GET /api/v1/market/candles': 'viewer',
  'GET /api/v1/market/ticker': 'viewer',
  'GET /api/v1/history/runs': 'viewer',
  'POST /api/v1/backtests': 'trader',
  'GET /api/v1/backtests': 'viewer',
  'GET /api/v1/backtests/:id': 'viewer',
  'GET /api/v1/audit': 'admin',
  // @fastify/cors's preflight route: its own hook answers a browser's preflight (no credential
  // is ever sent on one) before authentication; any other OPTIONS needs a token (corsPolicy.test.ts).
  'OPTIONS *': 'viewer',
};

const TOKENS = {
  viewer: 'route-access-viewer-0123456789',
  trader: 'route-access-trader-0123456789',
  admin: 'route-access-admin-01234567890',
} as const;
const RANK = ['viewer', 'trader', 'admin'] as const;
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const status: EngineStatusSource = {
  status: () => {
    throw new Error('not asked');
  },
  components: () => [{ name: 'database', ready: true, detail: 'test' }],
};

let app: FastifyInstance;
let db: { close(): void };
/** Every route as registered: method, URL and the access the auth hook will read. */
const routes: { key: string; method: string; url: string; access: string }[] = [];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qts-route-access-'));
  const database = openDatabase(join(dir, 'trading.db'));
  db = database;
  app = await createApiServer({
    engine: new ReadOnlyEngineApi(database, 'USDT', 'binance', status),
    config: AppConfigSchema.parse({
      mode: 'api',
      api: {
        tokens: RANK.map((role) => ({ name: role, role, token: TOKENS[role] })),
        jwt: { secret: 'route-access-jwt-secret-0123456789abcdef' },
        // Many requests from one address below: only roles are under test here.
        rateLimit: { max: 10_000 },
      },
    }),
    audit: NULL_AUDIT,
    startedAt: 0,
    now: () => 1_700_000_000_000,
    backtests: new BacktestJobs({
      dbPath: undefined,
      dataDir: join(dir, 'history'),
      defaultExchange: 'binance',
      maxRunning: 1,
      now: () => 1_700_000_000_000,
    }),
    instrument: (a) =>
      a.addHook('onRoute', (r: RouteOptions) => {
        for (const method of [r.method].flat()) {
          // HEAD twins of GET routes and the OpenAPI pages: the GET rule covers them.
          if (method === 'HEAD' || r.url.startsWith('/docs')) continue;
          const access = (r.config as { access?: string } | undefined)?.access ?? 'viewer';
          routes.push({ key: `${method} ${r.url}`, method, url: r.url, access });
        }
      }),
  });
});

afterAll(async () => {
  await app.close();
  db.close();
});

const urlOf = (url: string): string => url.replaceAll(':id', 'x');

describe('every REST route has its documented role', () => {
  it('registers exactly the routes of the table, each with the role docs/api.md gives it', () => {
    const actual = Object.fromEntries(routes.map((r) => [r.key, r.access]));
    expect(actual).toEqual(EXPECTED);
  });

  it('no mutating route is open to a viewer or to anyone but login', () => {
    const mutating = routes.filter((r) => MUTATING.has(r.method));
    expect(mutating.length).toBeGreaterThan(5);
    for (const r of mutating) {
      if (r.key === 'POST /api/v1/auth/login') continue;
      expect(`${r.key} needs ${r.access}`).toMatch(/needs (trader|admin)$/);
    }
  });

  it('enforces it: no token is a 401 with a message, a weaker role a 403, the role itself passes', async () => {
    for (const r of routes.filter((x) => x.method !== 'OPTIONS')) {
      const url = urlOf(r.url);
      const method = r.method as 'GET' | 'POST' | 'PUT' | 'PATCH';
      const anon = await app.inject({ method, url });
      if (r.access === 'public') {
        expect(`${r.key} ${anon.statusCode}`).not.toMatch(/ 40[13]$/);
        continue;
      }
      expect(`${r.key} ${anon.statusCode}`).toBe(`${r.key} 401`);
      expect(anon.json()).toEqual({ error: 'ERR_UNAUTHORIZED', message: 'a valid bearer token is required' });
      for (const role of RANK) {
        const res = await app.inject({ method, url, headers: { authorization: `Bearer ${TOKENS[role]}` } });
        const allowed = RANK.indexOf(role) >= RANK.indexOf(r.access as (typeof RANK)[number]);
        if (allowed) expect(`${r.key} as ${role}: ${res.statusCode}`).not.toMatch(/: 40[13]$/);
        else {
          expect(`${r.key} as ${role}: ${res.statusCode}`).toBe(`${r.key} as ${role}: 403`);
          expect(res.json<{ error: string }>().error).toBe('ERR_FORBIDDEN');
        }
      }
    }
  });

  it('an unknown route, or a method a route lacks, asks for a token before saying 404', async () => {
    for (const [method, url] of [
      ['DELETE', '/api/v1/orders/x'],
      ['POST', '/api/v1/config'],
      ['GET', '/api/v1/nothing-here'],
    ] as const) {
      const r = await app.inject({ method, url });
      expect(`${method} ${url} ${r.statusCode}`).toBe(`${method} ${url} 401`);
    }
  });
});
