import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { LiveVenue } from '../../src/app/LiveVenue.js';
import { afterEach, describe, expect, it } from 'vitest';
import { formatFixed } from '../../src/core/Fixed.js';
import { IdGenerator, ORDER_ID_PREFIX } from '../../src/core/ids.js';
import {
  capabilitiesOf,
  exchangeClientId,
  isOurClientId,
} from '../../src/exchanges/ccxt/executionCapabilities.js';
import type { AuditSink } from '../../src/monitor/AuditSink.js';
import { signedFetch } from '../fakeBinance/privateHelpers.js';
import type { Harness } from './support/liveHarness.js';
import {
  KEYS,
  SYMBOL,
  exchangeTotal,
  liveTestConfig,
  startHarness,
  startLiveRuntime,
} from './support/liveHarness.js';

const log = pino({ level: 'silent' });

/**
 * What the live engine counts as its own order on a shared exchange account: exactly the client
 * ids it makes (live.clientIdPrefix + the OMS id, "qtsQ000001"), not every id that starts with
 * the prefix. docs/live-trading.md, "Which orders are ours".
 */
describe('isOurClientId', () => {
  const binance = capabilitiesOf('binance');
  if (binance === undefined) throw new Error('binance capabilities missing');

  it('recognises every id the OMS generator and exchangeClientId make, padded or not', () => {
    const ids = new IdGenerator(ORDER_ID_PREFIX);
    for (let i = 0; i < 3000; i++)
      expect(isOurClientId('qts', exchangeClientId(binance, 'qts', ids.next()))).toBe(true);
    // Past 36^6 orders the sequence outgrows its padding (7 digits and more).
    const late = new IdGenerator(ORDER_ID_PREFIX);
    late.resumeAfter(36 ** 6 - 2);
    const lateIds = [late.next(), late.next(), late.next()];
    expect(lateIds).toEqual(['Qzzzzzz', 'Q1000000', 'Q1000001']);
    for (const id of lateIds) expect(isOurClientId('qts', `qts${id}`)).toBe(true);
  });

  it('leaves ids a human or another bot chose with our prefix to them', () => {
    for (const id of [
      'qtsmanual',
      'qts',
      'qtsQ',
      'qtsQ1',
      'qtsQ00001',
      'qtsQ0000001', // 7 digits with a leading zero: the generator never pads beyond 6
      'qtsQ00000A', // the generator's base 36 is lowercase
      'qtsq000001',
      'qtsQ000001-1',
      'QTSQ000001',
      'xqtsQ000001',
      'otherQ000001',
    ])
      expect(isOurClientId('qts', id), id).toBe(false);
    expect(isOurClientId('qts', 'qtsQ000001')).toBe(true);
    expect(isOurClientId('bot2', 'bot2Q00002s')).toBe(true);
    expect(isOurClientId('bot2', 'qtsQ00002s')).toBe(false);
    // Two engines with different prefixes never take each other's ids, even when one prefix
    // starts with the other's: the uppercase Q after a prefix is never part of a sequence.
    expect(isOurClientId('qts', 'qtsQ1Q000001')).toBe(false);
    expect(isOurClientId('qtsQ1', 'qtsQ1000000')).toBe(false);
  });
});

describe('startup reconciliation on an account shared with manual orders', () => {
  let h: Harness | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await h?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const place = (harness: Harness, cid: string, quantity: string, price: string) =>
    signedFetch(
      harness.fake,
      'POST',
      '/api/v3/order',
      {
        symbol: 'ETHUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity,
        price,
        newClientOrderId: cid,
      },
      { key: KEYS.apiKey, secret: KEYS.secret },
    );

  const auditInto = (records: { kind: string; data: Readonly<Record<string, unknown>> }[]): AuditSink => ({
    record: (kind, data) => records.push({ kind, data }),
    query: () => Promise.resolve([]),
  });

  const config = (dbPath: string) =>
    liveTestConfig({
      dbPath,
      account: { currency: 'USDT', initialCash: 100_000, commission: 0.001 },
      sma: { id: 'sma', symbol: SYMBOL, fast: 5, slow: 20, sizing: 'fixed:0.1' },
      live: { reconcileIntervalMs: 60_000, resolveWithinMs: 2_000, streams: false },
    });

  it('cancels an orphan of ours, leaves a manual order named with our prefix alone', async () => {
    h = await startHarness({ balances: { USDT: '100000', ETH: '0' } });
    const harness = h;
    dir = mkdtempSync(join(tmpdir(), 'qts-recon-own-'));
    // Resting far below the tape (~1980-2020): neither fills.
    expect((await place(harness, 'qtsmanual', '0.1', '1000')).status).toBe(200);
    expect((await place(harness, 'qtsQ0000zz', '0.1', '1001')).status).toBe(200);

    const records: { kind: string; data: Readonly<Record<string, unknown>> }[] = [];
    const rt = await startLiveRuntime(harness, config(join(dir, 'live.db')), {
      log,
      audit: auditInto(records),
    });
    try {
      const diffs = records
        .filter((r) => r.kind === 'reconciliation.difference')
        .map((r) => [r.data['kind'], r.data['key']]);
      expect(diffs).toEqual([['order-only-exchange', 'qtsQ0000zz']]);
      expect(harness.fake.account.orderByClientId('qtsQ0000zz')?.status).toBe('CANCELED');
      expect(harness.fake.account.orderByClientId('qtsmanual')?.status).toBe('NEW');
      // Not booked: no order of the OMS, the account as the exchange holds it (its USDT locked, not spent).
      expect(rt.node.oms.openOrders()).toEqual([]);
      expect(rt.node.portfolio.positionQty(SYMBOL)).toBe(0n);
      expect(rt.node.portfolio.cash()).toBe(exchangeTotal(harness.fake, 'USDT'));
      expect(rt.components().find((c) => c.name === 'reconciliation')?.ready).toBe(true);
      // A later pass still leaves it alone.
      expect(await (rt.venue as LiveVenue).reconciler.run('periodic')).toBe(true);
      expect(harness.fake.account.orderByClientId('qtsmanual')?.status).toBe('NEW');
    } finally {
      await rt.stop();
    }
  }, 30_000);

  /**
   * Pins the documented settlement of an orphan's fills (docs/live-trading.md): the lost order's
   * trades are not booked as trades. The position difference they left is moved at the last
   * price, not at the price the exchange filled at, and what the two prices make apart lands in
   * a cash adjustment; the exchange's fee is not among our fees. Equity, cash and position end
   * right; the position's entry price and its later PnL are measured from the last price.
   */
  it('books a partly filled orphan by its position difference at the last price', async () => {
    h = await startHarness({ balances: { USDT: '100000', ETH: '0' } });
    const harness = h;
    dir = mkdtempSync(join(tmpdir(), 'qts-recon-own-'));
    const tapeNow = () => {
      const m = harness.fake.market(SYMBOL);
      return m.tape.price[m.cursor - 1] ?? Number.NaN;
    };
    expect(tapeNow()).toBeGreaterThan(2010);
    const cid = 'qtsQ0000zy';
    expect((await place(harness, cid, '40', '2005')).status).toBe(200);
    // Down through 2005 (the orphan fills 1 ETH a trade, as maker at 2005) and back above 2015.
    const filled = () => harness.fake.account.orderByClientId(cid)?.executedQty ?? 0n;
    for (let i = 0; i < 200 && filled() === 0n; i++) harness.fake.step(1);
    for (let i = 0; i < 200 && tapeNow() < 2015; i++) harness.fake.step(1);
    const order = harness.fake.account.orderByClientId(cid);
    expect(order?.status).toBe('PARTIALLY_FILLED');
    const trades = harness.fake.account.trades('spot').filter((t) => t.clientOrderId === cid);
    expect(trades.length).toBeGreaterThan(1);
    // The fake counts in 1e-8: every trade at the orphan's limit, 2005.
    expect(trades.every((t) => t.price === 2005n * 100_000_000n)).toBe(true);
    const last = (await harness.exchange.fetchTicker(SYMBOL)).last;
    expect(last).toBe(tapeNow());

    const records: { kind: string; data: Readonly<Record<string, unknown>> }[] = [];
    const rt = await startLiveRuntime(harness, config(join(dir, 'live.db')), {
      log,
      audit: auditInto(records),
    });
    try {
      const diffs = records
        .filter((r) => r.kind === 'reconciliation.difference')
        .map((r) => [r.data['kind'], r.data['key']]);
      expect(diffs).toEqual([
        ['order-only-exchange', cid],
        ['balance', 'USDT'],
        ['position', SYMBOL],
      ]);
      expect(harness.fake.account.orderByClientId(cid)?.status).toBe('CANCELED');
      // The account agrees with the exchange to the last unit: ETH bought less the fees in ETH.
      const qty = rt.node.portfolio.positionQty(SYMBOL);
      expect(qty).toBe(exchangeTotal(harness.fake, 'ETH'));
      expect(rt.node.portfolio.cash()).toBe(exchangeTotal(harness.fake, 'USDT'));
      // The gap: the position's entry is the last price, not the exchange's 2005 per ETH.
      const pos = rt.node.portfolio.ledger.position(SYMBOL);
      const entry = Number(formatFixed(pos.costBasis)) / Number(formatFixed(qty));
      expect(entry).toBeCloseTo(last ?? Number.NaN, 6);
      expect(entry - 2005).toBeGreaterThan(10);
      expect(rt.node.portfolio.ledger.feesPaid('ETH')).toBe(0n);
      expect(rt.components().find((c) => c.name === 'reconciliation')?.ready).toBe(true);
    } finally {
      await rt.stop();
    }
  }, 30_000);
});
