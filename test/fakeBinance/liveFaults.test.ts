import type { Exchange } from 'ccxt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FakeBinance } from '../support/fakeBinance/FakeBinance.js';
import type { RawWs } from './helpers.js';
import { closeAll, ethSpotSession, spotUserDataSocket } from './privateHelpers.js';

const SYMBOL = 'ETH/USDT';

/** A raw WebSocket API connection subscribed to the spot user-data stream. */
async function subscriber(fake: FakeBinance): Promise<RawWs> {
  const { ws, ack } = await spotUserDataSocket(fake);
  expect(ack).toMatchObject({ id: 's', status: 200 });
  return ws;
}

/** The faults and hooks the live-trading tests use: lost reports, random bans, request and order hooks. */
describe('FakeBinance faults for live trading', () => {
  let fake: FakeBinance;
  let ex: Exchange;

  beforeEach(async () => ({ fake, ex } = await ethSpotSession()));
  afterEach(() => closeAll(fake, ex));

  it('dropExecutionReports loses the next n execution reports; balance events still go out', async () => {
    const ws = await subscriber(fake);
    try {
      fake.faults.dropExecutionReports(1);
      await ex.createOrder(SYMBOL, 'limit', 'buy', 0.01, 1900, { clientOrderId: 'ours-lost' });
      await ex.createOrder(SYMBOL, 'limit', 'buy', 0.01, 1901, { clientOrderId: 'ours-seen' });
      const events: Record<string, unknown>[] = [];
      while (events.filter((e) => e['e'] === 'outboundAccountPosition').length < 2)
        events.push(((await ws.next()) as { event: Record<string, unknown> }).event);
      const reports = events.filter((e) => e['e'] === 'executionReport').map((e) => e['c']);
      expect(reports).toEqual(['ours-seen']);
      // The exchange has both: only the stream lost one.
      expect(fake.account.orderByClientId('ours-lost')?.status).toBe('NEW');
    } finally {
      await ws.close();
    }
  });

  it('random ban kinds open a Retry-After window over the whole host, logged and counted', async () => {
    fake.faults.random({ seed: 7, rate: 1, kinds: ['ban-418'], banSeconds: 1, pathPrefix: '/api/v3/ping' });
    const first = await fetch(`${fake.restUrl}/api/v3/ping`);
    expect(first.status).toBe(418);
    expect(first.headers.get('retry-after')).toBe('1');
    expect(fake.faults.bans.map((b) => [b.path, b.status])).toEqual([['/api/v3/ping', 418]]);
    const ban = fake.faults.bans[0];
    expect((ban?.until ?? 0) - (ban?.from ?? 0)).toBe(1000);
    // A public request elsewhere during the window: refused and counted.
    const during = await fetch(`${fake.restUrl}/api/v3/time`);
    expect(during.status).toBe(418);
    expect(fake.faults.requestsDuringBan).toBe(1);
    fake.faults.reset();
    expect(fake.faults.bans).toEqual([]);
  });

  it('onRequest fires as a request arrives, onOrder as the matching engine books it, both before the answer', async () => {
    const seen: string[] = [];
    const offRequest = fake.onRequest((e) => {
      if (e.path === '/api/v3/order') seen.push(`request ${e.method} booked=${fake.account.orders().length}`);
    });
    const offOrder = fake.account.onOrder((o, x) => seen.push(`order ${o.clientOrderId} ${x}`));
    const placed = ex.createOrder(SYMBOL, 'market', 'buy', 0.01, undefined, { clientOrderId: 'ours-hooked' });
    await placed;
    expect(seen[0]).toBe('request POST booked=0');
    expect(seen[1]).toBe('order ours-hooked NEW');
    expect(seen.slice(2).every((s) => s === 'order ours-hooked TRADE')).toBe(true);
    offRequest();
    offOrder();
    await ex.createOrder(SYMBOL, 'market', 'buy', 0.01, undefined, { clientOrderId: 'ours-after' });
    expect(seen.some((s) => s.includes('ours-after'))).toBe(false);
  });
});
