import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApiServer } from '../../src/api/createApiServer.js';
import { ReadOnlyEngineApi } from '../../src/api/engine/ReadOnlyEngineApi.js';
import type { ComponentHealth, EngineStatus, EngineStatusSource } from '../../src/api/EngineStatus.js';
import { AppConfigSchema } from '../../src/config/configSchema.js';
import { NULL_AUDIT } from '../../src/monitor/AuditSink.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';

function source(components: ComponentHealth[]): EngineStatusSource {
  const status = {
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
    services: ['extra fields a later issue adds pass through'],
  } as EngineStatus;
  return { status: () => status, components: () => components };
}

describe('API server', () => {
  it('answers liveness, and readiness with component details (503 when any is not ready), without a token', async () => {
    const comps: ComponentHealth[] = [
      { name: 'database', ready: true, detail: 'writable' },
      { name: 'market-data', ready: false, detail: 'stale for 40 s' },
    ];
    const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'qts-server-')), 'trading.db'));
    const app = await createApiServer({
      engine: new ReadOnlyEngineApi(db, 'USDT', 'binance', source(comps)),
      config: AppConfigSchema.parse({
        api: { tokens: [{ name: 'v', role: 'viewer', token: 'viewer-token-0123456789' }] },
      }),
      audit: NULL_AUDIT,
      startedAt: 1000,
      now: () => 6000,
    });
    try {
      expect((await app.inject('/api/v1/health')).json()).toEqual({ status: 'ok', uptimeMs: 5000 });
      const ready = await app.inject('/api/v1/health/ready');
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toEqual({ ready: false, components: comps });
      comps[1] = { name: 'market-data', ready: true, detail: 'fresh' };
      expect((await app.inject('/api/v1/health/ready')).statusCode).toBe(200);
      expect((await app.inject('/api/v1/status')).statusCode).toBe(401);
      const status = await app.inject({
        url: '/api/v1/status',
        headers: { authorization: 'Bearer viewer-token-0123456789' },
      });
      expect(status.json()).toMatchObject({
        mode: 'api',
        services: ['extra fields a later issue adds pass through'],
      });
      const missing = await app.inject({
        url: '/api/v1/nope',
        headers: { authorization: 'Bearer viewer-token-0123456789' },
      });
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toMatchObject({ error: 'ERR_NOT_FOUND' });
    } finally {
      await app.close();
      db.close();
    }
  });
});
