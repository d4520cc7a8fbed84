import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiServer } from '../../../src/api/createApiServer.js';
import type { EngineStatusSource } from '../../../src/api/EngineStatus.js';
import { ReadOnlyEngineApi } from '../../../src/api/engine/ReadOnlyEngineApi.js';
import { AppConfigSchema } from '../../../src/config/configSchema.js';
import { NULL_AUDIT } from '../../../src/monitor/AuditSink.js';
import { openDatabase } from '../../../src/storage/sqlite/openDatabase.js';

const ADMIN = 'cors-admin-token-0123456789';
const DASH = 'https://dash.example.com';
const status: EngineStatusSource = {
  status: () => {
    throw new Error('not asked');
  },
  components: () => [{ name: 'database', ready: true, detail: 'test' }],
};

const open: { app: FastifyInstance; db: { close(): void } }[] = [];
afterEach(async () => {
  for (const { app, db } of open.splice(0)) {
    await app.close();
    db.close();
  }
});

/** A server with `corsOrigins`, and the (method, url) of every route it registered under /api. */
async function server(
  corsOrigins: string[],
): Promise<{ app: FastifyInstance; routes: { method: string; url: string }[] }> {
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'qts-cors-')), 'trading.db'));
  const routes: { method: string; url: string }[] = [];
  const app = await createApiServer({
    engine: new ReadOnlyEngineApi(db, 'USDT', 'binance', status),
    config: AppConfigSchema.parse({
      mode: 'api',
      api: { corsOrigins, tokens: [{ name: 'ada', role: 'admin', token: ADMIN }] },
    }),
    audit: NULL_AUDIT,
    startedAt: 0,
    now: () => 1_700_000_000_000,
    instrument: (a) =>
      a.addHook('onRoute', (r: RouteOptions) => {
        for (const method of [r.method].flat())
          if (r.url.startsWith('/api/') && method !== 'HEAD') routes.push({ method, url: r.url });
      }),
  });
  open.push({ app, db });
  return { app, routes };
}

const preflight = (app: FastifyInstance, url: string, method: string, origin: string) =>
  app.inject({
    method: 'OPTIONS',
    url,
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization,content-type',
    },
  });

describe('CORS (api.corsOrigins, docs/api.md)', () => {
  it('a configured origin may call every route with its method: the preflight allows each one', async () => {
    const { app, routes } = await server([DASH]);
    const methods = new Set(routes.map((r) => r.method));
    // The API's commands use all of these; a preflight refusing one breaks that command in a browser.
    expect([...methods].sort()).toEqual(['GET', 'PATCH', 'POST', 'PUT']);
    for (const { method, url } of routes) {
      const r = await preflight(app, url.replaceAll(':id', 'x'), method, DASH);
      expect(`${method} ${url} ${r.statusCode}`).toBe(`${method} ${url} 204`);
      expect(r.headers['access-control-allow-origin']).toBe(DASH);
      const allowed = String(r.headers['access-control-allow-methods']).split(/\s*,\s*/);
      expect(allowed, `${method} ${url}: Access-Control-Allow-Methods`).toContain(method);
      expect(String(r.headers['access-control-allow-headers']).toLowerCase()).toContain('authorization');
    }
  });

  it('another origin gets no Access-Control-Allow-Origin, on a preflight or a real request', async () => {
    const { app } = await server([DASH]);
    const pre = await preflight(app, '/api/v1/risk/kill', 'POST', 'https://evil.example.com');
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    const get = await app.inject({
      url: '/api/v1/risk',
      headers: { origin: 'https://evil.example.com', authorization: `Bearer ${ADMIN}` },
    });
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('closed without corsOrigins: no origin is allowed, not even on a preflight', async () => {
    const { app } = await server([]);
    const pre = await preflight(app, '/api/v1/risk/kill', 'POST', DASH);
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    // Without a preflight's headers, OPTIONS is an ordinary request: it needs a token.
    const bare = await app.inject({ method: 'OPTIONS', url: '/api/v1/risk/kill' });
    expect(bare.statusCode).toBe(401);
  });

  it('a configured origin can read Retry-After of a 429 (the wait the docs promise)', async () => {
    const { app } = await server([DASH]);
    const r = await app.inject({ url: '/api/v1/health', headers: { origin: DASH } });
    expect(String(r.headers['access-control-expose-headers']).toLowerCase()).toContain('retry-after');
  });
});
