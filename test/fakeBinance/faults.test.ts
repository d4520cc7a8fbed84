import ccxt, { DDoSProtection, ExchangeNotAvailable, NetworkError } from 'ccxt';
import type { Trade } from 'ccxt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeBinance } from '../support/fakeBinance/FakeBinance.js';
import type { FakeTrade } from '../support/fakeBinance/FakeBinance.js';
import { HAS_SHARED_DATA } from '../support/sharedData.js';
import { RawWs, until, withTimeout, xrpEth } from './helpers.js';

interface TradeEvent {
  t: number;
}

describe.skipIf(!HAS_SHARED_DATA)('FakeBinance faults', () => {
  let fake: FakeBinance;
  let trades: FakeTrade[];
  let rest: InstanceType<typeof ccxt.binance>;

  beforeAll(async () => {
    ({ trades } = xrpEth());
    fake = await FakeBinance.start({ markets: [{ symbol: 'XRP/ETH', trades, startTime: trades[1000]?.ts }] });
    rest = new ccxt.binance();
    await fake.configure(rest);
    await rest.loadMarkets();
  });

  afterEach(() => fake.faults.reset());

  afterAll(async () => {
    await rest?.close();
    await fake?.close();
  });

  /** A raw client subscribed to the XRP/ETH trade stream. */
  async function tradeClient(): Promise<RawWs> {
    const ws = await RawWs.open(`${fake.wsUrl}/ws`);
    ws.send({ method: 'SUBSCRIBE', params: ['xrpeth@trade'], id: 1 });
    expect(await ws.next()).toEqual({ result: null, id: 1 });
    return ws;
  }

  async function tradeIds(ws: RawWs, n: number): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 0; i < n; i++) ids.push(((await ws.next()) as TradeEvent).t);
    return ids;
  }

  it('dropConnections: the pending ccxt.pro watch rejects, a new watch reconnects and resubscribes', async () => {
    const pro = new ccxt.pro.binance();
    try {
      await fake.configure(pro);
      const pending = pro.watchTrades('XRP/ETH');
      await fake.waitForSubscription('xrpeth@trade');
      fake.faults.dropConnections();
      await expect(withTimeout(pending, 5000, 'the rejection')).rejects.toBeInstanceOf(NetworkError);
      expect(fake.subscriberCount('xrpeth@trade')).toBe(0);

      const cursor = fake.cursor('XRP/ETH');
      const again = pro.watchTrades('XRP/ETH');
      await fake.waitForSubscription('xrpeth@trade');
      fake.step(1);
      const got = await withTimeout(again, 5000, 'a trade after reconnecting');
      expect(got.map((t) => Number(t.id))).toEqual([trades[cursor]?.id]);
      expect(fake.log.filter((e) => e.method === 'CONNECT').length).toBeGreaterThanOrEqual(2);
    } finally {
      await pro.close();
    }
  });

  it('skipTrades: the stream jumps over the skipped ids, REST still has them', async () => {
    const pro = new ccxt.pro.binance();
    try {
      await fake.configure(pro);
      const cursor = fake.cursor('XRP/ETH');
      const first = pro.watchTrades('XRP/ETH');
      await fake.waitForSubscription('xrpeth@trade');
      fake.step(1);
      expect((await withTimeout(first, 5000, 'the first trade')).map((t) => Number(t.id))).toEqual([
        trades[cursor]?.id,
      ]);
      fake.faults.skipTrades('XRP/ETH', 3);
      const next = pro.watchTrades('XRP/ETH');
      fake.step(4);
      const got: Trade[] = await withTimeout(next, 5000, 'the trade after the gap');
      expect(got.map((t) => Number(t.id))).toEqual([trades[cursor + 4]?.id]);
      const history = await rest.fetchTrades('XRP/ETH', undefined, 5);
      expect(history.map((t) => Number(t.id))).toEqual(trades.slice(cursor, cursor + 5).map((t) => t.id));
    } finally {
      await pro.close();
    }
  });

  it('duplicateNext: the next messages arrive twice (ccxt keeps both copies)', async () => {
    const ws = await tradeClient();
    try {
      const cursor = fake.cursor('XRP/ETH');
      fake.faults.duplicateNext(2);
      fake.step(3);
      const [a, b, c] = trades.slice(cursor, cursor + 3).map((t) => t.id);
      expect(await tradeIds(ws, 5)).toEqual([a, a, b, b, c]);
    } finally {
      await ws.close();
    }
  });

  it('reorderNext: the next messages arrive in reverse order', async () => {
    const ws = await tradeClient();
    try {
      const cursor = fake.cursor('XRP/ETH');
      fake.faults.reorderNext(3);
      fake.step(4);
      const [a, b, c, d] = trades.slice(cursor, cursor + 4).map((t) => t.id);
      expect(await tradeIds(ws, 4)).toEqual([c, b, a, d]);
    } finally {
      await ws.close();
    }
  });

  it('reset() sends held messages at once, in order', async () => {
    const ws = await tradeClient();
    try {
      const cursor = fake.cursor('XRP/ETH');
      fake.faults.reorderNext(10);
      fake.step(2);
      expect(ws.pending()).toBe(0);
      fake.faults.reset();
      expect(await tradeIds(ws, 2)).toEqual(trades.slice(cursor, cursor + 2).map((t) => t.id));
    } finally {
      await ws.close();
    }
  });

  it('stall: nothing is sent for the given time, connections stay open, REST still answers', async () => {
    const ws = await tradeClient();
    try {
      const cursor = fake.cursor('XRP/ETH');
      const started = performance.now();
      fake.faults.stall(200);
      fake.step(1);
      expect(await rest.fetchTime()).toBe(trades[cursor]?.ts);
      const event = (await ws.next()) as TradeEvent;
      // Timers may fire up to a millisecond early on some platforms.
      expect(performance.now() - started).toBeGreaterThanOrEqual(199);
      expect(event.t).toBe(trades[cursor]?.id);
      expect(ws.ws.readyState).toBe(ws.ws.OPEN);
    } finally {
      await ws.close();
    }
  });

  it('failRest 503: ccxt throws ExchangeNotAvailable, only `times` times, only under the prefix', async () => {
    fake.faults.failRest('/api/v3/klines', 503, 1);
    await expect(rest.fetchTicker('XRP/ETH')).resolves.toBeDefined();
    await expect(rest.fetchOHLCV('XRP/ETH', '1m', undefined, 2)).rejects.toBeInstanceOf(ExchangeNotAvailable);
    await expect(rest.fetchOHLCV('XRP/ETH', '1m', undefined, 2)).resolves.toHaveLength(2);
  });

  it('failRest 429: Retry-After and -1003, ccxt throws DDoSProtection', async () => {
    fake.faults.failRest('/api/v3/', 429, 2);
    const raw = await fetch(`${fake.restUrl}/api/v3/time`);
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('1');
    expect(await raw.json()).toMatchObject({ code: -1003 });
    await expect(rest.fetchTrades('XRP/ETH')).rejects.toBeInstanceOf(DDoSProtection);
    await expect(rest.fetchTime()).resolves.toBeGreaterThan(0);
  });

  it('failRest with a custom body: -1007 (execution status unknown) maps to RequestTimeout', async () => {
    fake.faults.failRest('/api/v3/depth', 503, 1, {
      code: -1007,
      msg: 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.',
    });
    await expect(rest.fetchOrderBook('XRP/ETH')).rejects.toBeInstanceOf(ccxt.RequestTimeout);
  });

  it('public streams and REST never count as private', async () => {
    await until(() => fake.subscriberCount('xrpeth@trade') === 0, 'earlier clients to go');
    expect(fake.privateRequestCount()).toBe(0);
    expect(fake.log.length).toBeGreaterThan(10);
  });
});
