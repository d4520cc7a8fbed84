import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { toFixed } from '../../src/core/Fixed.js';
import { lockEngineDatabase } from '../../src/storage/sqlite/lockEngineDatabase.js';
import { journalSentOrder } from './support/journaledOms.js';
import type { Harness } from './support/liveHarness.js';
import { SYMBOL, liveTestConfig, startHarness, startLiveRuntime, tape } from './support/liveHarness.js';

const OLD = 'BTC/USDT';

/**
 * A restart after the configuration stopped trading a symbol while an order of ours rested on it
 * (a strategy removed, its order left working). The engine has no instrument, prices or order
 * stream for that symbol, so it could neither manage nor book the order: the start is refused
 * with a code that names the order and what to do, and the order is left as it is.
 */
describe('restart with an open order on a symbol the configuration no longer trades', () => {
  let h: Harness | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await h?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('is refused with ERR_RESTORE_SYMBOL_NOT_TRADED naming the order; the order still rests on the exchange', async () => {
    h = await startHarness({
      balances: { USDT: '100000', ETH: '0', BTC: '0' },
      markets: [
        {
          symbol: OLD,
          trades: tape(400).map((t) => ({ ...t, price: Math.round(t.price * 2000) / 100 })),
          tickSize: '0.01',
          lotSize: '0.0001',
        },
      ],
    });
    const fake = h.fake;
    dir = mkdtempSync(join(tmpdir(), 'qts-dropped-'));
    const dbPath = join(dir, 'live.db');

    // The last life traded BTC/USDT too: a buy below the market rests there.
    const o = await journalSentOrder(h, dbPath, 'old', {
      symbol: OLD,
      side: 'BUY',
      type: 'LIMIT',
      quantity: toFixed('0.1'),
      price: toFixed('39700'),
      timeInForce: 'GTC',
      postOnly: false,
      reduceOnly: false,
    });
    expect(o.status).toBe('ACCEPTED');

    // This life trades ETH/USDT only.
    const config = liveTestConfig({
      dbPath,
      account: { currency: 'USDT', initialCash: 100_000, commission: 0.001 },
      sma: { id: 'sma', symbol: SYMBOL, fast: 5, slow: 20, sizing: 'fixed:0.1' },
      live: { reconcileIntervalMs: 60_000, resolveWithinMs: 500, streams: false },
    });
    const start = startLiveRuntime(h, config, { log: pino({ level: 'silent' }) });
    // Before: the start failed ERR_RECONCILIATION_FAILED "order-only-local", as if the exchange
    // no longer had the order, on every start until the user canceled it by hand.
    await expect(start).rejects.toMatchObject({
      code: 'ERR_RESTORE_SYMBOL_NOT_TRADED',
      message: expect.stringMatching(
        new RegExp(
          `rest on BTC/USDT, which this configuration does not trade: ${o.id} \\(old: BUY LIMIT 0\\.1 BTC/USDT, ACCEPTED\\); cancel them on the exchange`,
        ),
      ) as unknown,
    });
    // Nothing was done to it: it still rests on the exchange, and the engine lock is free again.
    expect(fake.account.orderByClientId(`qts${o.id}`)?.status).toBe('NEW');
    lockEngineDatabase(dbPath)();
  }, 60_000);
});
