/**
 * The sync pace wired into a live engine (LiveVenue's sync timer and health detail) against
 * the fake Binance: resting orders are left to the healthy private streams, a user-stream
 * drop brings the REST lookups back at once, and the health page says which pace runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ccxt from 'ccxt';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { LiveVenue } from '../../src/app/LiveVenue.js';
import { liveVariant } from '../../src/app/liveVariant.js';
import { TradingRuntime } from '../../src/app/TradingRuntime.js';
import { toFixed } from '../../src/core/Fixed.js';
import {
  KEYS,
  SYMBOL,
  liveTestConfig,
  startFake,
  tape,
  tradingExchange,
  until,
} from './support/liveHarness.js';

const SYNC_MS = 50;
const STREAM_SYNC_MS = 60_000;
const RESTING = 4;

describe('live engine: REST sync pace follows the private streams', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qts-sync-pace-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('healthy streams: no lookups of covered resting orders; a user-stream drop brings them back at once', async () => {
    const fake = await startFake(tape(400));
    fake.step(5);
    const config = liveTestConfig({
      dbPath: join(dir, 'live.db'),
      account: { currency: 'USDT', initialCash: 100_000, commission: 0.001 },
      sma: { id: 'sma', symbol: SYMBOL, fast: 2, slow: 3, sizing: 'fixed:0.1' },
      // Reconciliation (a full pass of its own) out of the way: only the sync timer looks orders up.
      live: { syncIntervalMs: SYNC_MS, streamSyncIntervalMs: STREAM_SYNC_MS, reconcileIntervalMs: 600_000 },
    });
    const rt = await TradingRuntime.start(
      config,
      {
        log: pino({ level: process.env['QTS_TEST_LOG'] ?? 'silent' }),
        noHttp: true,
        noServices: true,
        exchangeFactory: async () => {
          const ex = new ccxt.pro.binance();
          await fake.configure(ex);
          return ex;
        },
      },
      liveVariant(KEYS, () => tradingExchange(fake)),
    );
    const venue = rt.venue as LiveVenue;
    const execution = (): string => venue.components().find((c) => c.name === 'execution')?.detail ?? '';
    const lookupsSince = (from: number): number =>
      fake.log.slice(from).filter((e) => e.method === 'GET' && e.path === '/api/v3/order').length;
    try {
      // Risk refuses orders on a symbol without fresh market data: one trade first.
      await fake.waitForSubscription('ethusdt@trade', 10_000);
      fake.step(1);
      await until(() => rt.node.lastPrice(SYMBOL) !== undefined, 'a market price');
      const orders = Array.from({ length: RESTING }, (_, i) =>
        rt.node.submit('sma', {
          symbol: SYMBOL,
          side: 'BUY',
          type: 'LIMIT',
          price: toFixed(String(1500 - i)),
          quantity: toFixed('0.1'),
          timeInForce: 'GTC',
          postOnly: false,
          reduceOnly: false,
        }),
      );
      await until(() => orders.every((o) => o.status === 'ACCEPTED'), 'the resting orders');
      await until(() => venue.client.syncPace().slowOrders === RESTING, 'the streams to cover every order');
      expect(execution()).toContain(
        `private streams healthy (watchMyTrades, watchOrders subscribed); REST order sync every ${STREAM_SYNC_MS} ms for ${RESTING} order(s) the streams cover, every ${SYNC_MS} ms for 0 other(s)`,
      );

      // Passes keep running (each skips every order) and ask the exchange nothing.
      const quietFrom = fake.log.length;
      const skippedBefore = venue.client.syncPace().skipped;
      await until(() => venue.client.syncPace().skipped >= skippedBefore + 10 * RESTING, 'ten paced passes');
      expect(lookupsSince(quietFrom)).toBe(0);

      fake.faults.dropUserStreams();
      const dropFrom = fake.log.length;
      await until(() => venue.client.syncPace().streams === 'unhealthy', 'the drop to be noticed');
      expect(execution()).toMatch(
        /private streams unhealthy: .*; REST order sync every 50 ms for every order/,
      );
      await until(() => lookupsSince(dropFrom) >= RESTING, 'every order looked up again');

      await until(() => venue.client.syncPace().streams === 'healthy', 'the streams to come back');
      expect(execution()).toContain('private streams healthy');
      expect(orders.every((o) => o.status === 'ACCEPTED')).toBe(true);
    } finally {
      await rt.stop();
      await fake.close();
    }
  }, 60_000);
});
