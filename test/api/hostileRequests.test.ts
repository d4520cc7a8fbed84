import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN, auth, closeRecordingApis, recordingApi } from './support/recordingApi.js';

afterEach(closeRecordingApis);
const server = () => recordingApi();

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
