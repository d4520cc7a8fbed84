import { describe, expect, it } from 'vitest';
import { createApiServer } from '../../src/api/createApiServer.js';
import type { ComponentHealth, EngineStatus, EngineStatusSource } from '../../src/api/EngineStatus.js';

function source(components: ComponentHealth[]): EngineStatusSource {
  const status = {
    mode: 'shadow',
    marketData: { source: 'synthetic', detail: 'seeded' },
  } as unknown as EngineStatus;
  return { status: () => status, components: () => components };
}

describe('API server', () => {
  it('answers liveness, and readiness with component details (503 when any is not ready)', async () => {
    const comps: ComponentHealth[] = [
      { name: 'database', ready: true, detail: 'writable' },
      { name: 'market-data', ready: false, detail: 'stale for 40 s' },
    ];
    const app = createApiServer({ status: source(comps), startedAt: 1000, now: () => 6000 });
    expect((await app.inject('/api/v1/health')).json()).toEqual({ status: 'ok', uptimeMs: 5000 });
    const ready = await app.inject('/api/v1/health/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ ready: false, components: comps });
    comps[1] = { name: 'market-data', ready: true, detail: 'fresh' };
    expect((await app.inject('/api/v1/health/ready')).statusCode).toBe(200);
    expect((await app.inject('/api/v1/status')).json()).toMatchObject({
      mode: 'shadow',
      marketData: { source: 'synthetic' },
    });
    const missing = await app.inject('/api/v1/nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: 'ERR_NOT_FOUND' });
    await app.close();
  });
});
