import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { toFixed } from '../../src/core/Fixed.js';
import type { AuditSink } from '../../src/monitor/AuditSink.js';
import { journalSentOrder } from './support/journaledOms.js';
import type { Harness } from './support/liveHarness.js';
import {
  FIXED_PER_UNIT,
  SYMBOL,
  exchangeTotal,
  liveTestConfig,
  startHarness,
  startLiveRuntime,
} from './support/liveHarness.js';

const log = pino({ level: 'silent' });

/**
 * The startup reconciliation of a real live runtime after a crash: a resting buy the journal
 * holds open filled at the exchange while the engine was down, in several trades whose fee
 * Binance takes in ETH. docs/live-trading.md: the fills are booked (order events of the start),
 * so the comparison that follows finds no difference — no position or cash "settled" at the
 * last price in place of the real trades.
 */
describe('startup reconciliation after fills made while the engine was down', () => {
  let h: Harness | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await h?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('books the real trades and fees, then finds nothing to settle', async () => {
    h = await startHarness({ balances: { USDT: '100000', ETH: '0' } });
    const harness = h;
    dir = mkdtempSync(join(tmpdir(), 'qts-restart-recon-'));
    const dbPath = join(dir, 'live.db');

    // The last life: the order reached the exchange and was acknowledged, then the process died.
    const o = await journalSentOrder(harness, dbPath, 'sma', {
      symbol: SYMBOL,
      side: 'BUY',
      type: 'LIMIT',
      quantity: toFixed('2.5'),
      price: toFixed('1995'),
      timeInForce: 'GTC',
      postOnly: false,
      reduceOnly: false,
    });
    expect(o.status).toBe('ACCEPTED');

    const cid = `qts${o.id}`;
    for (let i = 0; i < 200 && harness.fake.account.orderByClientId(cid)?.status !== 'FILLED'; i++)
      harness.fake.step(1);
    const trades = harness.fake.account.trades('spot').filter((t) => t.clientOrderId === cid);
    expect(trades.length).toBeGreaterThanOrEqual(3);
    expect(trades.every((t) => t.commissionAsset === 'ETH' && t.commission > 0n)).toBe(true);

    const records: { kind: string; data: Readonly<Record<string, unknown>> }[] = [];
    const audit: AuditSink = {
      record: (kind, data) => records.push({ kind, data }),
      query: () => Promise.resolve([]),
    };
    const config = liveTestConfig({
      dbPath,
      account: { currency: 'USDT', initialCash: 100_000, commission: 0.001 },
      sma: { id: 'sma', symbol: SYMBOL, fast: 5, slow: 20, sizing: 'fixed:0.1' },
      live: { reconcileIntervalMs: 60_000, resolveWithinMs: 2_000, streams: false },
    });
    const rt = await startLiveRuntime(harness, config, { log, audit });
    try {
      const restored = rt.node.oms.order(o.id);
      expect(restored?.status).toBe('FILLED');
      expect(restored?.filledQty).toBe(toFixed('2.5'));
      const differences = records.filter((r) => r.kind === 'reconciliation.difference').map((r) => r.data);
      expect(differences).toEqual([]);
      // The exchange's figures, reached through the trades: 2.5 ETH less the fees in ETH.
      const feesEth = trades.reduce((s, t) => s + t.commission, 0n) * FIXED_PER_UNIT;
      expect(rt.node.portfolio.positionQty(SYMBOL)).toBe(toFixed('2.5') - feesEth);
      expect(rt.node.portfolio.positionQty(SYMBOL)).toBe(exchangeTotal(harness.fake, 'ETH'));
      expect(rt.node.portfolio.cash()).toBe(exchangeTotal(harness.fake, 'USDT'));
      expect(rt.components().find((c) => c.name === 'reconciliation')?.ready).toBe(true);
    } finally {
      await rt.stop();
    }
  }, 30_000);
});
