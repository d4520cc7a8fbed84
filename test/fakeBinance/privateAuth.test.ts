import ccxt, { AuthenticationError, InvalidNonce } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeBinance } from '../support/fakeBinance/FakeBinance.js';
import { RawWs } from './helpers.js';
import { API_KEY, API_SECRET, ethUsdt, signedFetch, startFake } from './privateHelpers.js';

/** Signed-request checks and order filters, Binance's codes seen on the wire. */
describe('FakeBinance signed requests and filters', () => {
  let fake: FakeBinance;

  beforeAll(async () => {
    fake = await startFake([ethUsdt()], { balances: { USDT: '1000', ETH: '1' } });
  });

  afterAll(async () => {
    await fake?.close();
  });

  it('accepts a correctly signed request, in the query or in a form body', async () => {
    const get = await signedFetch(fake, 'GET', '/api/v3/account', {});
    expect(get.status).toBe(200);
    expect((get.body as { balances: unknown[] }).balances).toContainEqual({
      asset: 'ETH',
      free: '1.00000000',
      locked: '0.00000000',
    });
    const post = await signedFetch(fake, 'POST', '/api/v3/order/test', {
      symbol: 'ETHUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.01',
      price: '1990',
    });
    expect(post).toEqual({ status: 200, body: {} });
  });

  it('refuses a bad signature (-1022), an unknown key (-2015), no key (-2014), a stale or early timestamp (-1021)', async () => {
    expect(await signedFetch(fake, 'GET', '/api/v3/account', {}, { secret: 'wrong' })).toEqual({
      status: 400,
      body: { code: -1022, msg: 'Signature for this request is not valid.' },
    });
    expect(await signedFetch(fake, 'GET', '/api/v3/account', {}, { key: 'nobody' })).toEqual({
      status: 401,
      body: { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' },
    });
    const noKey = await fetch(`${fake.restUrl}/api/v3/account?timestamp=1&signature=00`);
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toEqual({ code: -2014, msg: 'API-key format invalid.' });
    const stale = await signedFetch(fake, 'GET', '/api/v3/account', {}, { timestamp: Date.now() - 6000 });
    expect(stale).toEqual({
      status: 400,
      body: { code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' },
    });
    const early = await signedFetch(fake, 'GET', '/api/v3/account', {}, { timestamp: Date.now() + 5000 });
    expect((early.body as { code: number }).code).toBe(-1021);
    // A wider recvWindow (up to 60 s) lets the same age through; more is refused.
    const wide = await signedFetch(
      fake,
      'GET',
      '/api/v3/account',
      { recvWindow: '10000' },
      { timestamp: Date.now() - 6000 },
    );
    expect(wide.status).toBe(200);
    const tooWide = await signedFetch(fake, 'GET', '/api/v3/account', { recvWindow: '60001' });
    expect((tooWide.body as { code: number }).code).toBe(-1131);
  });

  it('a tampered parameter breaks the signature', async () => {
    const query = new URLSearchParams({ timestamp: String(Date.now()) }).toString();
    const { createHmac } = await import('node:crypto');
    const sig = createHmac('sha256', API_SECRET).update(query).digest('hex');
    const res = await fetch(
      `${fake.restUrl}/api/v3/account?${query}&omitZeroBalances=true&signature=${sig}`,
      {
        headers: { 'X-MBX-APIKEY': API_KEY },
      },
    );
    expect(await res.json()).toEqual({ code: -1022, msg: 'Signature for this request is not valid.' });
  });

  it('ccxt sees the refusals as its AuthenticationError and InvalidNonce', async () => {
    const wrongSecret = new ccxt.binance({ apiKey: API_KEY, secret: 'wrong' });
    await fake.configure(wrongSecret);
    await wrongSecret.loadMarkets();
    await expect(wrongSecret.fetchBalance()).rejects.toBeInstanceOf(AuthenticationError);
    const late = new ccxt.binance({ apiKey: API_KEY, secret: API_SECRET });
    await fake.configure(late);
    await late.loadMarkets();
    // ccxt subtracts options.timeDifference from its clock: 20 s behind the server.
    late.options['timeDifference'] = 20_000;
    await expect(late.fetchBalance()).rejects.toBeInstanceOf(InvalidNonce);
    await wrongSecret.close();
    await late.close();
  });

  it('checks the WebSocket API user-data subscription signature too', async () => {
    const ws = await RawWs.open(`${fake.wsUrl}/ws-api/v3`);
    try {
      ws.send({
        id: '1',
        method: 'userDataStream.subscribe.signature',
        params: { apiKey: API_KEY, timestamp: Date.now(), signature: 'f'.repeat(64) },
      });
      expect(await ws.next()).toEqual({
        id: '1',
        status: 400,
        error: { code: -1022, msg: 'Signature for this request is not valid.' },
      });
    } finally {
      await ws.close();
    }
  });

  it.each([
    ['LOT_SIZE (step)', { quantity: '0.00015', price: '1990' }, 'Filter failure: LOT_SIZE'],
    ['LOT_SIZE (min)', { quantity: '0.00001', price: '1990' }, 'Filter failure: LOT_SIZE'],
    ['PRICE_FILTER', { quantity: '0.01', price: '1990.005' }, 'Filter failure: PRICE_FILTER'],
    ['NOTIONAL', { quantity: '0.001', price: '1990' }, 'Filter failure: NOTIONAL'],
  ])('refuses %s with -1013', async (_name, params, msg) => {
    const res = await signedFetch(fake, 'POST', '/api/v3/order', {
      symbol: 'ETHUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      ...params,
    });
    expect(res).toEqual({ status: 400, body: { code: -1013, msg } });
    expect(fake.account.orders()).toEqual([]);
  });

  it('refuses malformed orders with Binance codes', async () => {
    const order = (p: Record<string, string>): Promise<{ status: number; body: unknown }> =>
      signedFetch(fake, 'POST', '/api/v3/order', p);
    const code = async (p: Record<string, string>): Promise<number> =>
      ((await order(p)).body as { code: number }).code;
    expect(await code({ symbol: 'NOPE', side: 'BUY', type: 'MARKET', quantity: '1' })).toBe(-1121);
    expect(await code({ symbol: 'ETHUSDT', side: 'UP', type: 'MARKET', quantity: '1' })).toBe(-1117);
    expect(await code({ symbol: 'ETHUSDT', side: 'BUY', type: 'ICEBERG', quantity: '1' })).toBe(-1116);
    expect(await code({ symbol: 'ETHUSDT', side: 'BUY', type: 'LIMIT', quantity: '1', price: '1990' })).toBe(
      -1102,
    );
    expect(
      await code({
        symbol: 'ETHUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTD',
        quantity: '1',
        price: '1',
      }),
    ).toBe(-1115);
    expect(await code({ symbol: 'ETHUSDT', side: 'BUY', type: 'MARKET', quantity: '0.123456789' })).toBe(
      -1111,
    );
    expect(
      await code({
        symbol: 'ETHUSDT',
        side: 'BUY',
        type: 'MARKET',
        quantity: '1',
        newClientOrderId: 'bad id!',
      }),
    ).toBe(-1100);
    expect(fake.account.orders()).toEqual([]);
  });
});
