import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { FakeBinance } from '../support/fakeBinance/FakeBinance.js';
import type { FakeTrade } from '../support/fakeBinance/FakeBinance.js';
import { RawWs, withTimeout } from './helpers.js';

const trades: FakeTrade[] = Array.from({ length: 20 }, (_, i) => ({
  id: 100 + i,
  ts: 1_700_000_000_000 + i * 500,
  price: 2000 + i,
  amount: 0.5,
  side: 'buy',
}));

/** Without an account configured, private endpoints are refused the way Binance refuses a bad key. */
describe('FakeBinance private endpoints without an account', () => {
  let fake: FakeBinance;

  beforeAll(async () => {
    fake = await FakeBinance.start({ markets: [{ symbol: 'ETH/USDT', trades, startTime: trades[10]?.ts }] });
  });

  afterAll(async () => {
    await fake?.close();
  });

  it('answers signed and user-data REST calls with 401 -2015 and logs them as private', async () => {
    const signed = await fetch(`${fake.restUrl}/api/v3/order`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-MBX-APIKEY': 'k' },
      body: 'symbol=ETHUSDT&side=BUY&type=MARKET&quantity=1&timestamp=1&signature=abc',
    });
    expect(signed.status).toBe(401);
    expect(await signed.json()).toEqual({
      code: -2015,
      msg: 'Invalid API-key, IP, or permissions for action.',
    });
    const listenKey = await fetch(`${fake.restUrl}/api/v3/userDataStream`, { method: 'POST' });
    expect(listenKey.status).toBe(401);
    const ping = await fetch(`${fake.restUrl}/api/v3/ping`);
    expect(await ping.json()).toEqual({});
    expect(fake.privateRequestCount()).toBe(2);
    expect(fake.log.map((e) => [e.method, e.path, e.private])).toEqual([
      ['POST', '/api/v3/order', true],
      ['POST', '/api/v3/userDataStream', true],
      ['GET', '/api/v3/ping', false],
    ]);
  });

  it('refuses user-data WebSocket requests (WebSocket API and listen-key streams)', async () => {
    const before = fake.privateRequestCount();
    const api = await RawWs.open(`${fake.wsUrl}/ws-api/v3`);
    try {
      api.send({ id: 'a', method: 'ping' });
      expect(await api.next()).toEqual({ id: 'a', status: 200, result: {} });
      api.send({
        id: 'b',
        method: 'userDataStream.subscribe.signature',
        params: { apiKey: 'k', timestamp: 1, signature: 'x' },
      });
      expect(await api.next()).toEqual({
        id: 'b',
        status: 401,
        error: { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' },
      });
    } finally {
      await api.close();
    }
    const refused = new WebSocket(`${fake.wsUrl}/stream/ws/some-listen-key`);
    const status = await withTimeout(
      new Promise<number | undefined>((resolve) => {
        refused.on('unexpected-response', (_req, res) => resolve(res.statusCode));
        refused.on('error', () => resolve(undefined));
      }),
      5000,
      'the refusal',
    );
    refused.terminate();
    expect(status).toBe(401);
    expect(fake.privateRequestCount()).toBe(before + 2);
  });
});
