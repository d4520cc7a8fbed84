import { NetworkError } from 'ccxt';
import type { Balances, Exchange, Order, Position, Trade } from 'ccxt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FakeBinance } from '../support/fakeBinance/FakeBinance.js';
import { collect, RawWs, until, withTimeout } from './helpers.js';
import {
  closeAll,
  ethUsdt,
  futuresClient,
  signedFetch,
  spotClient,
  spotUserDataSocket,
  startFake,
  xrpUsdt,
} from './privateHelpers.js';

interface ExecutionReport {
  e: string;
  c: string;
  x: string;
  X: string;
  t: number;
  l: string;
}

/** A raw WebSocket API connection subscribed to the spot user-data stream. */
async function rawSpotSubscriber(fake: FakeBinance): Promise<RawWs> {
  const { ws, ack } = await spotUserDataSocket(fake);
  expect(ack).toEqual({ id: 's', status: 200, result: { subscriptionId: 0 } });
  return ws;
}

/** The next `n` executionReport events on a raw subscriber (skipping balance events). */
async function reports(ws: RawWs, n: number): Promise<ExecutionReport[]> {
  const out: ExecutionReport[] = [];
  while (out.length < n) {
    const frame = (await ws.next()) as { subscriptionId: number; event: ExecutionReport };
    expect(frame.subscriptionId).toBe(0);
    if (frame.event.e === 'executionReport') out.push(frame.event);
  }
  return out;
}

describe('FakeBinance spot user-data stream (WebSocket API subscription)', () => {
  let fake: FakeBinance;
  let rest: Exchange;
  let pro: Exchange;

  beforeEach(async () => {
    fake = await startFake([ethUsdt()], { balances: { USDT: '100000', ETH: '5' } });
    rest = await spotClient(fake);
    pro = await spotClient(fake, true);
  });

  afterEach(async () => {
    await closeAll(fake, pro, rest);
  });

  it('watchOrders, watchMyTrades and watchBalance follow an order from NEW to FILLED', async () => {
    const orders = pro.watchOrders('ETH/USDT');
    await until(() => fake.userStreams.subscriberCount === 1, 'the spot subscription');
    const myTrades = pro.watchMyTrades('ETH/USDT');
    const balance = pro.watchBalance();
    const placed = await rest.createOrder('ETH/USDT', 'limit', 'buy', 2, 1995.25, {
      clientOrderId: 'ours-ws-1',
    });

    const seen = await collect<Order>(
      orders,
      () => pro.watchOrders('ETH/USDT'),
      (all) => all.some((o) => o.status === 'open'),
      'the NEW report',
    );
    expect(seen[0]?.clientOrderId).toBe('ours-ws-1');
    expect(seen[0]?.id).toBe(placed.id);
    const b = await withTimeout<Balances>(balance, 5000, 'a balance update');
    expect(b['USDT']?.used).toBeGreaterThan(0);

    while (fake.account.orderByClientId('ours-ws-1')?.status !== 'FILLED') expect(fake.step(1)).toBe(1);
    const filled = await collect<Order>(
      pro.watchOrders('ETH/USDT'),
      () => pro.watchOrders('ETH/USDT'),
      (all) => all.some((o) => o.status === 'closed'),
      'the FILLED report',
    );
    expect(filled.find((o) => o.status === 'closed')?.filled).toBe(2);
    const trades = await collect<Trade>(
      myTrades,
      () => pro.watchMyTrades('ETH/USDT'),
      (all) => new Set(all.map((t) => t.id)).size >= fake.account.trades().length,
      'every trade',
    );
    const ids = [...new Set(trades.map((t) => t.id))];
    expect(ids).toEqual(fake.account.trades().map((t) => String(t.tradeId)));
    expect(ids).toEqual((await rest.fetchMyTrades('ETH/USDT')).map((t) => t.id));
  });

  it("sends executionReport and outboundAccountPosition in Binance's shape", async () => {
    const ws = await rawSpotSubscriber(fake);
    try {
      await rest.createOrder('ETH/USDT', 'market', 'buy', 0.5, undefined, { clientOrderId: 'ours-raw-1' });
      const frames: { event: Record<string, unknown> }[] = [];
      while (!frames.some((f) => f.event['e'] === 'outboundAccountPosition'))
        frames.push((await ws.next()) as { event: Record<string, unknown> });
      const kinds = frames.map((f) => [f.event['e'], f.event['x'] ?? null]);
      expect(kinds[0]).toEqual(['executionReport', 'NEW']);
      expect(kinds.slice(1, -1).every(([e, x]) => e === 'executionReport' && x === 'TRADE')).toBe(true);
      const position = frames.at(-1)?.event as { B: { a: string; f: string; l: string }[] };
      const bal = fake.account.balances();
      expect(position.B.sort((x, y) => x.a.localeCompare(y.a))).toEqual([
        { a: 'ETH', f: bal['ETH']?.free, l: bal['ETH']?.locked },
        { a: 'USDT', f: bal['USDT']?.free, l: bal['USDT']?.locked },
      ]);
    } finally {
      await ws.close();
    }
  });

  it('duplicates and reorders execution reports on demand', async () => {
    const ws = await rawSpotSubscriber(fake);
    try {
      fake.faults.duplicateExecutionReports(1);
      await rest.createOrder('ETH/USDT', 'limit', 'buy', 1, 1900, { clientOrderId: 'ours-dup-1' });
      const dup = await reports(ws, 2);
      expect(dup.map((r) => [r.c, r.x])).toEqual([
        ['ours-dup-1', 'NEW'],
        ['ours-dup-1', 'NEW'],
      ]);
      fake.faults.reorderExecutionReports(2);
      await rest.cancelOrder('', 'ETH/USDT', { origClientOrderId: 'ours-dup-1' });
      await rest.createOrder('ETH/USDT', 'limit', 'buy', 1, 1901, { clientOrderId: 'ours-ro-2' });
      const reordered = await reports(ws, 2);
      expect(reordered.map((r) => [r.c, r.x])).toEqual([
        ['ours-ro-2', 'NEW'],
        ['ours-dup-1', 'CANCELED'],
      ]);
    } finally {
      await ws.close();
    }
  });

  it('dropUserStreams rejects the pending watch; the next watch resubscribes and gets the events', async () => {
    const pending = pro.watchOrders('ETH/USDT');
    await until(() => fake.userStreams.subscriberCount === 1, 'the spot subscription');
    fake.faults.dropUserStreams();
    await expect(withTimeout(pending, 5000, 'the rejection')).rejects.toBeInstanceOf(NetworkError);
    expect(fake.userStreams.subscriberCount).toBe(0);
    const again = pro.watchOrders('ETH/USDT');
    await until(() => fake.userStreams.subscriberCount === 1, 'the resubscription');
    await rest.createOrder('ETH/USDT', 'limit', 'buy', 1, 1900, { clientOrderId: 'ours-after-drop' });
    const got = await withTimeout(again, 5000, 'an order after the drop');
    expect(got.map((o) => o.clientOrderId)).toContain('ours-after-drop');
  });
});

describe('FakeBinance USDT-M user-data stream (listen key)', () => {
  let fake: FakeBinance;
  let rest: Exchange;
  let pro: Exchange;

  beforeEach(async () => {
    fake = await startFake([xrpUsdt()], { futuresWallet: '1000' });
    rest = await futuresClient(fake);
    pro = await futuresClient(fake, true);
  });

  afterEach(async () => {
    await closeAll(fake, pro, rest);
  });

  it('watchOrders, watchBalance and watchPositions through POST /fapi/v1/listenKey and the private stream', async () => {
    const orders = pro.watchOrders('XRP/USDT:USDT');
    await until(() => fake.userStreams.subscriberCount === 1, 'the listen-key stream');
    expect(fake.log.some((e) => e.method === 'POST' && e.path === '/fapi/v1/listenKey')).toBe(true);
    const balance = pro.watchBalance();
    const positions = pro.watchPositions(['XRP/USDT:USDT']);
    await rest.createOrder('XRP/USDT:USDT', 'market', 'buy', 100, undefined, { clientOrderId: 'ours-fws-1' });
    const seen = await collect<Order>(
      orders,
      () => pro.watchOrders('XRP/USDT:USDT'),
      (all) => all.some((o) => o.status === 'closed'),
      'the filled order',
    );
    expect(seen.find((o) => o.status === 'closed')?.clientOrderId).toBe('ours-fws-1');
    const b = await withTimeout<Balances>(balance, 5000, 'ACCOUNT_UPDATE balance');
    expect(String(b['USDT']?.total)).toBe(String(Number(fake.account.futuresWallet())));
    const p = await withTimeout<Position[]>(positions, 5000, 'ACCOUNT_UPDATE position');
    expect(p.find((x) => x.symbol === 'XRP/USDT:USDT')?.contracts).toBe(100);
  });

  it('expires listen keys (listenKeyExpired, stream closed), keeps them alive with PUT, refuses unknown ones', async () => {
    const created = await signedFetch(fake, 'POST', '/fapi/v1/listenKey', {});
    const key = (created.body as { listenKey: string }).listenKey;
    const before = fake.userStreams.validUntil(key) as number;
    const again = await signedFetch(fake, 'PUT', '/fapi/v1/listenKey', {}, { inBody: true });
    expect(again.body).toEqual({ listenKey: key });
    expect(fake.userStreams.validUntil(key)).toBeGreaterThanOrEqual(before);

    const ws = await RawWs.open(`${fake.wsUrl}/fstream/private/ws?listenKey=${key}`);
    const closed = new Promise<void>((resolve) => ws.ws.once('close', () => resolve()));
    fake.userStreams.expireListenKeys();
    expect(await ws.next()).toMatchObject({ e: 'listenKeyExpired', listenKey: key });
    await withTimeout(closed, 5000, 'the stream to close');
    const gone = await signedFetch(fake, 'PUT', '/fapi/v1/listenKey', {}, { inBody: true });
    expect(gone).toEqual({ status: 400, body: { code: -1125, msg: 'This listenKey does not exist.' } });
    const refused = await fetch(`${fake.restUrl}/fapi/v1/listenKey`, { method: 'POST' });
    expect(await refused.json()).toEqual({ code: -2014, msg: 'API-key format invalid.' });
  });

  it('ORDER_TRADE_UPDATE carries our client id, realized PnL and the fill', async () => {
    const created = await signedFetch(fake, 'POST', '/fapi/v1/listenKey', {});
    const key = (created.body as { listenKey: string }).listenKey;
    const ws = await RawWs.open(`${fake.wsUrl}/fstream/ws/${key}`);
    try {
      await rest.createOrder('XRP/USDT:USDT', 'market', 'sell', 10, undefined, { clientOrderId: 'ours-otu' });
      const events: Record<string, unknown>[] = [];
      while (!events.some((e) => e['e'] === 'ACCOUNT_UPDATE'))
        events.push((await ws.next()) as Record<string, unknown>);
      const updates = events
        .filter((e) => e['e'] === 'ORDER_TRADE_UPDATE')
        .map((e) => e['o'] as Record<string, unknown>);
      expect(updates[0]).toMatchObject({ c: 'ours-otu', x: 'NEW', X: 'NEW', S: 'SELL', ps: 'BOTH' });
      const last = updates.at(-1);
      expect(last).toMatchObject({
        c: 'ours-otu',
        x: 'TRADE',
        X: 'FILLED',
        z: '10.00000000',
        rp: '0.00000000',
      });
      const account = events.at(-1)?.['a'] as { P: { s: string; pa: string }[] };
      expect(account.P).toEqual([expect.objectContaining({ s: 'XRPUSDT', pa: '-10.00000000' })]);
    } finally {
      await ws.close();
    }
  });
});
