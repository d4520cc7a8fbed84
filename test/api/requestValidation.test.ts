import { afterEach, describe, expect, it } from 'vitest';
import { HAS_SHARED_DATA, sharedFile } from '../support/sharedData.js';
import { auth, closeRecordingApis, recordingApi } from './support/recordingApi.js';

const json = { ...auth, 'content-type': 'application/json' };
afterEach(closeRecordingApis);

/** Backtests read the shared reference candles, as a user's data folder. */
const DATA_DIR = sharedFile('crypto/spot-5m');
const FIRST_BAR = 1515560100000;

const server = () => recordingApi(DATA_DIR);

const answer = (r: { statusCode: number; body: string }) => `${r.statusCode} ${r.body}`;

describe('request validation', () => {
  it('refuses a time window whose from is after its to (400 naming from), not an empty answer', async () => {
    const { app } = await server();
    for (const path of [
      'orders?',
      'fills?',
      'pnl?',
      'pnl/equity?',
      'audit?',
      'market/candles?symbol=BTC/USDT&timeframe=1m&',
    ]) {
      const r = await app.inject({ url: `/api/v1/${path}from=2000&to=1000`, headers: auth });
      expect(`${path} ${answer(r)}`).toMatch(
        new RegExp(`^${path.replace('?', '\\?')} 400 .*"ERR_BAD_REQUEST".*from: from is after to`),
      );
      // An empty window (from = to) is a well-formed question with an empty answer.
      const same = await app.inject({ url: `/api/v1/${path}from=1000&to=1000`, headers: auth });
      expect(`${path} ${same.statusCode}`).toBe(`${path} 200`);
    }
  });

  it('refuses an unknown query key (a misspelt filter) with a 400 naming it, not an unfiltered list', async () => {
    const { app } = await server();
    for (const path of [
      'orders?strategyid=sma',
      'fills?order=o1',
      'pnl?since=5',
      'pnl/equity?point=10',
      'audit?who=ada',
      'history/runs?max=5',
      'market/candles?symbol=BTC/USDT&timeframe=1m&exchnage=kraken',
      'market/ticker?symbol=BTC/USDT&venue=x',
    ]) {
      const key = /[?&]([a-z]+)=[^&]*$/.exec(path)?.[1] ?? '';
      const r = await app.inject({ url: `/api/v1/${path}`, headers: auth });
      expect(`${path} ${r.statusCode}`).toBe(`${path} 400`);
      expect(r.json()).toMatchObject({ error: 'ERR_BAD_REQUEST' });
      expect(r.json<{ message: string }>().message).toContain(`"${key}"`);
    }
    expect(
      (await app.inject({ url: '/api/v1/orders?strategyId=sma&open=true', headers: auth })).statusCode,
    ).toBe(200);
  });

  it('refuses a filter on a list that takes none (?limit on backtests), rather than answering all of it', async () => {
    const { app } = await server();
    for (const path of [
      'backtests?limit=5',
      'positions?symbol=BTC/USDT',
      'balances?currency=USDT',
      'strategies?running=true',
      'strategies/catalog?id=rsi',
      'market/symbols?exchange=kraken',
    ]) {
      const r = await app.inject({ url: `/api/v1/${path}`, headers: auth });
      expect(`${path} ${answer(r)}`).toMatch(/^\S+ 400 .*querystring: Unrecognized key/);
    }
  });

  it('refuses a status filter that names no status (?status=), which would match no order at all', async () => {
    const { app } = await server();
    for (const q of ['status=', 'status=,', 'status=%20']) {
      const r = await app.inject({ url: `/api/v1/orders?${q}`, headers: auth });
      expect(`${q} ${answer(r)}`).toMatch(new RegExp(`^${q} 400 .*status: `));
    }
    expect(
      (await app.inject({ url: '/api/v1/orders?status=FILLED,CANCELED', headers: auth })).statusCode,
    ).toBe(200);
  });

  it('refuses a timeframe of zero units, in a query and in a backtest', async () => {
    const { app } = await server();
    const q = await app.inject({ url: '/api/v1/market/candles?symbol=BTC/USDT&timeframe=0m', headers: auth });
    expect(answer(q)).toMatch(/^400 .*timeframe: timeframe looks like 1m/);
    const b = await app.inject({
      method: 'POST',
      url: '/api/v1/backtests',
      headers: auth,
      payload: { strategy: 'sma-cross', symbol: 'BTC/USDT', timeframe: '0h' },
    });
    expect(answer(b)).toMatch(/^400 .*timeframe: timeframe looks like 1m/);
  });

  it.skipIf(!HAS_SHARED_DATA)(
    'refuses a backtest over an impossible range at once (400), not a job that fails after a 202',
    async () => {
      const { app } = await server();
      for (const [range, field] of [
        [{ from: FIRST_BAR + 300_000, to: FIRST_BAR }, 'from: from is after to'],
        [{ from: -5 }, 'from: Too small'],
        [{ to: -1 }, 'to: Too small'],
      ] as const) {
        const r = await app.inject({
          method: 'POST',
          url: '/api/v1/backtests',
          headers: auth,
          payload: { strategy: 'sma-cross', file: 'ADA_BTC-5m.csv', ...range },
        });
        expect(`${JSON.stringify(range)} ${answer(r)}`).toContain(`${JSON.stringify(range)} 400 `);
        expect(r.json<{ message: string }>().message).toContain(field);
      }
      expect((await app.inject({ url: '/api/v1/backtests', headers: auth })).json()).toEqual({ items: [] });
    },
  );

  it('runs the kill switch sent with a JSON content type and no body (curl -H), with the defaults', async () => {
    const { app, engine } = await server();
    const r = await app.inject({ method: 'POST', url: '/api/v1/risk/kill', headers: json, payload: '' });
    expect(answer(r)).toMatch(/^200 /);
    expect(engine.calls).toEqual([['kill', false, 'kill switch (API)', 'api:ada']]);
    // A command that needs fields still says which body it wanted.
    const close = await app.inject({
      method: 'POST',
      url: '/api/v1/positions/close',
      headers: json,
      payload: '',
    });
    expect(answer(close)).toMatch(/^400 .*"body: Invalid input: expected object/);
  });

  it('tells a client that posts a form (curl -d) to send JSON, with 415', async () => {
    const { app, engine } = await server();
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/risk/kill',
      headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'flatten=true',
    });
    expect(answer(r)).toMatch(/^415 .*"ERR_BAD_REQUEST".*content-type: application\/json/);
    expect(engine.calls).toEqual([]);
  });

  it('refuses __proto__ and constructor.prototype keys with a 400 that says so, not "not valid JSON"', async () => {
    const { app, engine } = await server();
    for (const payload of [
      '{"reason":"x","__proto__":{"flatten":true}}',
      '{"reason":"x","nested":{"constructor":{"prototype":{"flatten":true}}}}',
    ]) {
      const r = await app.inject({ method: 'POST', url: '/api/v1/risk/kill', headers: json, payload });
      expect(answer(r)).toMatch(/^400 .*"ERR_BAD_REQUEST".*__proto__ or constructor\.prototype/);
    }
    const deepPoison = `{"reason":"x","a":${'['.repeat(50_000)}{"__proto__":{}}${']'.repeat(50_000)}}`;
    const deep = await app.inject({
      method: 'POST',
      url: '/api/v1/risk/kill',
      headers: json,
      payload: deepPoison,
    });
    expect(answer(deep)).toMatch(/^400 .*__proto__ or constructor\.prototype/);
    // Deeply nested but clean JSON is JSON: the body's schema answers, not "not valid JSON".
    const nested = await app.inject({
      method: 'POST',
      url: '/api/v1/risk/kill',
      headers: json,
      payload: `{"reason":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    });
    expect(answer(nested)).toMatch(/^400 .*"reason: Invalid input: expected string, received array"/);
    const broken = await app.inject({
      method: 'POST',
      url: '/api/v1/risk/kill',
      headers: json,
      payload: '{"a":',
    });
    expect(answer(broken)).toMatch(/^400 .*"ERR_BAD_REQUEST".*not valid JSON/);
    expect(engine.calls).toEqual([]);
  });
});
