/**
 * Live: a cancel the exchange never confirmed before the engine stopped is asked again at the
 * next start. The journal holds the intent (OrderCancelRequested); after the restart and the
 * reconciliation (which finds the order still open at the exchange, as it is) the engine cancels
 * it before any strategy runs, instead of leaving it working against the user's intent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { TradingRuntime } from '../../src/app/TradingRuntime.js';
import { toFixed } from '../../src/core/Fixed.js';
import { OrderStore } from '../../src/storage/sqlite/OrderStore.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import type { Harness } from './support/liveHarness.js';
import { SYMBOL, liveTestConfig, startHarness, startLiveRuntime, until } from './support/liveHarness.js';

const log = pino({ level: process.env['QTS_TEST_LOG'] ?? 'silent' });

describe('live: a cancel not confirmed before the stop', () => {
  let h: Harness | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await h?.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function start(harness: Harness, dbPath: string): Promise<TradingRuntime> {
    const config = liveTestConfig({
      dbPath,
      account: { currency: 'USDT', initialCash: 100_000, commission: 0.001 },
      sma: { id: 'sma', symbol: SYMBOL, fast: 5, slow: 20, sizing: 'fixed:0.1' },
      live: { reconcileIntervalMs: 60_000, resolveWithinMs: 2_000, streams: false },
    });
    return startLiveRuntime(harness, config, { log });
  }

  it('is asked again at the next start, and the order ends at the exchange', async () => {
    h = await startHarness();
    const harness = h;
    const dir = mkdtempSync(join(tmpdir(), 'qts-live-cancel-restart-'));
    dirs.push(dir);
    const dbPath = join(dir, 'trading.db');
    const atExchange = (clientId: string): string | undefined =>
      harness.fake.account.orderByClientId(clientId)?.status;

    const first = await start(harness, dbPath);
    let orderId: string;
    try {
      // A trade reaches the engine (risk refuses orders on no data), then a buy 20 % under the
      // market: it rests at the exchange.
      await harness.fake.waitForSubscription('ethusdt@trade', 10_000);
      harness.fake.step(1);
      await until(() => first.lastData.has(SYMBOL), 'a trade to reach the engine');
      const order = first.node.submit('manual', {
        symbol: SYMBOL,
        side: 'BUY',
        type: 'LIMIT',
        price: toFixed(1600),
        quantity: toFixed('0.5'),
        timeInForce: 'GTC',
        postOnly: false,
        reduceOnly: false,
      });
      orderId = order.id;
      await until(
        () => order.status !== 'SUBMITTED' && order.status !== 'INITIALIZED',
        'the exchange to answer',
      );
      expect([order.status, order.reasonCode, order.reason]).toEqual(['ACCEPTED', undefined, undefined]);
      expect(atExchange(`qts${orderId}`)).toBe('NEW');
      // The exchange refuses every order request from here on (cancels and lookups alike): the
      // user's cancel cannot be confirmed before the engine stops.
      harness.fake.faults.failRest('/api/v3/order', 503, 1_000_000);
      let cancels = 0;
      const unhook = harness.fake.onRequest((e) => {
        if (e.method === 'DELETE' && e.path === '/api/v3/order') cancels += 1;
      });
      first.node.oms.cancel(orderId, 'canceled via API by alice');
      await until(() => cancels >= 1, 'the cancel to reach the exchange');
      unhook();
      expect(order.status).toBe('ACCEPTED');
    } finally {
      await first.stop();
    }
    expect(atExchange(`qts${orderId}`)).toBe('NEW');

    // The exchange answers again; the engine starts on the same database.
    harness.fake.faults.reset();
    let askedAgain = 0;
    const unhook = harness.fake.onRequest((e) => {
      if (e.method === 'DELETE' && e.path === '/api/v3/order') askedAgain += 1;
    });
    const second = await start(harness, dbPath);
    try {
      await until(() => atExchange(`qts${orderId}`) === 'CANCELED', 'the cancel to be asked again');
      await until(() => second.node.oms.order(orderId)?.status === 'CANCELED', 'the cancel to be booked');
      expect(askedAgain).toBeGreaterThanOrEqual(1);
      // The cancel's own answer and the user stream's report race to end the order: either
      // reason is the same outcome (the journaled request below is what carried the intent).
      expect(['canceled via API by alice', 'canceled at the exchange']).toContain(
        second.node.oms.order(orderId)?.reason,
      );
      expect(second.node.oms.order(orderId)?.pendingCancel?.reason).toBe('canceled via API by alice');
    } finally {
      unhook();
      await second.stop();
    }
    const db = openDatabase(dbPath);
    try {
      const types = new OrderStore(db).events(orderId).map((e) => e.type);
      expect(types.filter((t) => t === 'OrderCancelRequested')).toHaveLength(1);
      expect(types.at(-1)).toBe('OrderCanceled');
    } finally {
      db.close();
    }
  }, 60_000);
});
