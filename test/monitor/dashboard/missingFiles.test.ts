/**
 * The dashboard, served by the engine or by the standalone web-dashboard server, answers a
 * path with no file in its build (a browser's /favicon.ico, a crawler's /robots.txt, a stale
 * bundle name) with a 404 in the API's error shape — not the API's 401, which told the
 * browser a token was missing for a file that does not exist. The API behind it, known
 * route or not, still wants its token.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiServer } from '../../../src/api/createApiServer.js';
import { ReadOnlyEngineApi } from '../../../src/api/engine/ReadOnlyEngineApi.js';
import type { EngineStatus, EngineStatusSource } from '../../../src/api/EngineStatus.js';
import { AppConfigSchema } from '../../../src/config/configSchema.js';
import { NULL_AUDIT } from '../../../src/monitor/AuditSink.js';
import { DashboardServer } from '../../../src/monitor/dashboard/DashboardServer.js';
import { WebAssets } from '../../../src/monitor/dashboard/WebAssets.js';
import { openDatabase } from '../../../src/storage/sqlite/openDatabase.js';

const TOKEN = 'viewer-token-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'qts-dashboard-missing-'));
const web = join(dir, 'web');
mkdirSync(join(web, 'assets'), { recursive: true });
writeFileSync(join(web, 'index.html'), '<!doctype html><div id="app"></div>');
writeFileSync(join(web, 'assets', 'index-abc123.js'), 'console.log(1)');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const STATUS = {
  mode: 'api',
  marketData: { source: 'none', detail: 'stored' },
  startedAt: 0,
  now: 0,
  tradingState: 'NONE',
  tradingStateReason: '',
  currency: 'USDT',
  equity: 0,
  cash: '0',
  positions: [],
  openOrders: 0,
  warmUp: {
    state: 'off',
    bars: 300,
    timeoutMs: 30_000,
    timedOut: false,
    startedAt: null,
    finishedAt: null,
    symbols: [],
    detail: 'off: api mode runs no strategy',
  },
  strategies: [],
} as unknown as EngineStatus;
const source: EngineStatusSource = { status: () => STATUS, components: () => [] };

/** The engine's HTTP server with a token configured and the dashboard at `webDir`. */
function engine(webDir: string): Promise<FastifyInstance> {
  const db = openDatabase(join(mkdtempSync(join(dir, 'db-')), 'trading.db'));
  return createApiServer({
    engine: new ReadOnlyEngineApi(db, 'USDT', 'binance', source),
    config: AppConfigSchema.parse({ api: { tokens: [{ name: 'v', role: 'viewer', token: TOKEN }] } }),
    audit: NULL_AUDIT,
    startedAt: 0,
    now: () => 0,
    web: { assets: new WebAssets(webDir), pushTarget: () => undefined },
  });
}

const MISSING = ['/robots.txt', '/nonexistent.js', '/favicon.ico', '/assets/index-old999.js', '/a/b.css?v=2'];

describe('the dashboard served by the engine', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await engine(web);
  });
  afterAll(() => app.close());

  it('answers a file missing from the build with 404 ERR_NOT_FOUND, without asking for a token', async () => {
    for (const url of MISSING) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toMatch(/^application\/json/);
      expect(res.headers['www-authenticate'], url).toBeUndefined();
      expect(res.json(), url).toEqual({
        error: 'ERR_NOT_FOUND',
        message: `the web dashboard has no file ${url.split('?')[0]}`,
      });
      expect((await app.inject({ method: 'HEAD', url })).statusCode, `HEAD ${url}`).toBe(404);
    }
    // Another verb on a path of no route: no route, whoever asks.
    const post = await app.inject({ method: 'POST', url: '/robots.txt', payload: {} });
    expect(post.statusCode).toBe(404);
    expect(post.json()).toEqual({ error: 'ERR_NOT_FOUND', message: 'no route POST /robots.txt' });
  });

  it('still serves the app and its files, and app routes get index.html', async () => {
    for (const url of ['/', '/market', '/strategies/sma', '/apiary']) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toContain('id="app"');
    }
    expect((await app.inject('/assets/index-abc123.js')).body).toBe('console.log(1)');
  });

  it('keeps the API, its docs and the push behind the token: known route or not, 401 without it', async () => {
    for (const url of [
      '/api/v1/status',
      // A route reached by an encoded spelling of its path is still that route.
      '/%61pi/v1/status',
      '/api/v1/no-such-route',
      '/api/v1/x.js',
      '/api',
      '/docs',
      '/docs/json',
      '/ws',
    ]) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(401);
      expect(res.json(), url).toMatchObject({ error: 'ERR_UNAUTHORIZED' });
    }
    expect((await app.inject({ method: 'POST', url: '/api/v1/kill' })).statusCode).toBe(401);
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await app.inject({ url: '/api/v1/status', headers: auth })).statusCode).toBe(200);
    const unknown = await app.inject({ url: '/api/v1/no-such-route', headers: auth });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error: 'ERR_NOT_FOUND', message: 'no route GET /api/v1/no-such-route' });
  });

  it('when the app was never built: its pages say how to build it (503), other files are 404', async () => {
    const unbuilt = await engine(join(dir, 'never-built'));
    try {
      for (const url of ['/', '/market']) {
        const res = await unbuilt.inject(url);
        expect(res.statusCode, url).toBe(503);
        expect(res.body, url).toContain('npm run build:web');
      }
      expect((await unbuilt.inject('/robots.txt')).json()).toMatchObject({ error: 'ERR_NOT_FOUND' });
      expect((await unbuilt.inject('/api/v1/status')).statusCode).toBe(401);
    } finally {
      await unbuilt.close();
    }
  });
});

describe('the standalone web-dashboard server in front of the engine', () => {
  let app: FastifyInstance;
  let server: DashboardServer;
  let url: string;
  beforeAll(async () => {
    app = await engine(join(dir, 'engine-serves-no-app'));
    const api = await app.listen({ host: '127.0.0.1', port: 0 });
    server = await DashboardServer.start({
      host: '127.0.0.1',
      port: 0,
      apiUrl: api,
      pushUrl: api.replace('http:', 'ws:'),
      assets: new WebAssets(web),
    });
    url = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    await server.close();
    await app.close();
  });

  it('answers a missing file with the same 404 ERR_NOT_FOUND, and forwards the API with its 401', async () => {
    for (const path of MISSING) {
      const res = await fetch(`${url}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.json(), path).toEqual({
        error: 'ERR_NOT_FOUND',
        message: `the web dashboard has no file ${path.split('?')[0]}`,
      });
    }
    expect((await fetch(`${url}/market`)).status).toBe(200);
    for (const path of ['/api/v1/status', '/%61pi/v1/status', '/api/v1/no-such-route', '/docs'])
      expect((await fetch(`${url}${path}`)).status, path).toBe(401);
    const status = await fetch(`${url}/api/v1/status`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(status.status).toBe(200);
  });
});
