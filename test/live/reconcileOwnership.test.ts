import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { LiveVenue } from '../../src/app/LiveVenue.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Fixed } from '../../src/core/Fixed.js';
import { formatFixed, parseFixed } from '../../src/core/Fixed.js';
import { IdGenerator, ORDER_ID_PREFIX } from '../../src/core/ids.js';
import {
  capabilitiesOf,
  exchangeClientId,
  isOurClientId,
} from '../../src/exchanges/ccxt/executionCapabilities.js';
import type { AuditSink } from '../../src/monitor/AuditSink.js';
import type { Portfolio } from '../../src/portfolio/Portfolio.js';
import { signedFetch } from '../fakeBinance/privateHelpers.js';
import type { Harness } from './support/liveHarness.js';
import {
  FIXED_PER_UNIT,
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

  type Recorded = { kind: string; data: Readonly<Record<string, unknown>> }[];
  const differences = (records: Recorded) =>
    records.filter((r) => r.kind === 'reconciliation.difference').map((r) => [r.data['kind'], r.data['key']]);
  const orphanRecords = (records: Recorded) =>
    records.filter((r) => r.kind === 'reconciliation.orphan-trades');

  /**
   * An order of ours the journal does not know (qtsQ0000zy: lost database) resting at 2005 that
   * the tape fills in part (1 ETH a trade, as maker) before the engine starts, the last price
   * back above 2015. Returns its exchange trades, summed in our units (the fake counts in 1e-8).
   */
  const partlyFilledOrphan = async (harness: Harness) => {
    const tapeNow = () => {
      const m = harness.fake.market(SYMBOL);
      return m.tape.price[m.cursor - 1] ?? Number.NaN;
    };
    expect(tapeNow()).toBeGreaterThan(2010);
    const cid = 'qtsQ0000zy';
    expect((await place(harness, cid, '40', '2005')).status).toBe(200);
    const filled = () => harness.fake.account.orderByClientId(cid)?.executedQty ?? 0n;
    for (let i = 0; i < 200 && filled() === 0n; i++) harness.fake.step(1);
    for (let i = 0; i < 200 && tapeNow() < 2015; i++) harness.fake.step(1);
    expect(harness.fake.account.orderByClientId(cid)?.status).toBe('PARTIALLY_FILLED');
    const trades = harness.fake.account.trades('spot').filter((t) => t.clientOrderId === cid);
    expect(trades.length).toBeGreaterThan(1);
    expect(trades.every((t) => t.price === 2005n * 100_000_000n && t.commissionAsset === 'ETH')).toBe(true);
    const sum = (f: (t: (typeof trades)[number]) => bigint) =>
      (trades.reduce((a, t) => a + f(t), 0n) * FIXED_PER_UNIT) as Fixed;
    const last = (await harness.exchange.fetchTicker(SYMBOL)).last ?? Number.NaN;
    expect(last).toBe(tapeNow());
    return {
      cid,
      trades: trades.length,
      qty: sum((t) => t.qty),
      notional: sum((t) => t.quoteQty),
      fee: sum((t) => t.commission),
      last,
    };
  };

  const entryOf = (rt: { node: { portfolio: Portfolio } }) => {
    const pos = rt.node.portfolio.ledger.position(SYMBOL);
    return Number(formatFixed(pos.costBasis)) / Number(formatFixed(pos.qty));
  };

  /**
   * The orphan's trades are booked as the trades the exchange made (docs/live-trading.md,
   * "Which orders are ours"): at 2005 with their fee in ETH, so the position costs what the
   * exchange charged and the fees are ours; the comparison after them finds nothing to correct.
   */
  it('books a partly filled orphan as its trades, at their price with their fees', async () => {
    h = await startHarness({ balances: { USDT: '100000', ETH: '0' } });
    const harness = h;
    dir = mkdtempSync(join(tmpdir(), 'qts-recon-own-'));
    const orphan = await partlyFilledOrphan(harness);
    const records: Recorded = [];
    const rt = await startLiveRuntime(harness, config(join(dir, 'live.db')), {
      log,
      audit: auditInto(records),
    });
    try {
      // Found by the first look; the orphan's trades explain the balance and the position.
      expect(differences(records)).toEqual([
        ['order-only-exchange', orphan.cid],
        ['balance', 'USDT'],
        ['position', SYMBOL],
      ]);
      expect(records.some((r) => r.data['after'] !== undefined)).toBe(false);
      expect(harness.fake.account.orderByClientId(orphan.cid)?.status).toBe('CANCELED');
      const portfolio = rt.node.portfolio;
      expect(portfolio.positionQty(SYMBOL)).toBe(exchangeTotal(harness.fake, 'ETH'));
      expect(portfolio.positionQty(SYMBOL)).toBe(orphan.qty - orphan.fee);
      expect(portfolio.cash()).toBe(exchangeTotal(harness.fake, 'USDT'));
      // Booked as trades, no correction: cash moved by exactly the notional paid.
      expect(portfolio.cash()).toBe(parseFixed('100000') - orphan.notional);
      expect(portfolio.ledger.position(SYMBOL).costBasis).toBe(orphan.notional);
      expect(portfolio.ledger.feesPaid('ETH')).toBe(orphan.fee);
      expect(orphanRecords(records).map((r) => r.data['trades'])).toEqual([orphan.trades]);
      expect(Number(formatFixed(orphan.notional)) / Number(formatFixed(orphan.qty))).toBe(2005);
      // 25 ETH for 50125 USDT, 0.025 ETH of it the fee: 24.975 held at 2007.007 each.
      const held = Number(formatFixed((orphan.qty - orphan.fee) as Fixed));
      expect(entryOf(rt)).toBeCloseTo(Number(formatFixed(orphan.notional)) / held, 9);
      expect(rt.components().find((c) => c.name === 'reconciliation')?.ready).toBe(true);
      // A later pass books nothing again.
      expect(await (rt.venue as LiveVenue).reconciler.run('periodic')).toBe(true);
      expect(portfolio.ledger.feesPaid('ETH')).toBe(orphan.fee);
      expect(portfolio.positionQty(SYMBOL)).toBe(exchangeTotal(harness.fake, 'ETH'));
    } finally {
      await rt.stop();
    }
  }, 30_000);

  /**
   * Trades that cannot be read (the exchange answers 503) leave the orphan's fills to the
   * correction, at the last price without the fee, audited as unread; they are not booked
   * later when the exchange answers again.
   */
  it('falls back to the correction when the orphan trades cannot be read, and never books them twice', async () => {
    h = await startHarness({ balances: { USDT: '100000', ETH: '0' } });
    const harness = h;
    dir = mkdtempSync(join(tmpdir(), 'qts-recon-own-'));
    const orphan = await partlyFilledOrphan(harness);
    harness.fake.faults.failRest('/api/v3/myTrades', 503, 1_000);
    const records: Recorded = [];
    const rt = await startLiveRuntime(harness, config(join(dir, 'live.db')), {
      log,
      audit: auditInto(records),
    });
    try {
      expect(orphanRecords(records).map((r) => [r.data['trades'], typeof r.data['unread']])).toEqual([
        [0, 'string'],
      ]);
      expect(harness.fake.account.orderByClientId(orphan.cid)?.status).toBe('CANCELED');
      const portfolio = rt.node.portfolio;
      expect(portfolio.positionQty(SYMBOL)).toBe(exchangeTotal(harness.fake, 'ETH'));
      expect(portfolio.cash()).toBe(exchangeTotal(harness.fake, 'USDT'));
      expect(entryOf(rt)).toBeCloseTo(orphan.last, 6);
      expect(portfolio.ledger.feesPaid('ETH')).toBe(0n);
      harness.fake.faults.reset();
      expect(await (rt.venue as LiveVenue).reconciler.run('periodic')).toBe(true);
      expect(orphanRecords(records)).toHaveLength(1);
      expect(portfolio.positionQty(SYMBOL)).toBe(exchangeTotal(harness.fake, 'ETH'));
      expect(portfolio.ledger.feesPaid('ETH')).toBe(0n);
    } finally {
      await rt.stop();
    }
  }, 30_000);

  /**
   * The cancel refused once (503): the orphan stays open and nothing of its fills is booked or
   * corrected; the next startup pass ends it and books its trades once. A restart on the same
   * database then finds the account in agreement and books nothing again.
   */
  it('books the trades of an orphan once across a refused cancel and a restart', async () => {
    h = await startHarness({ balances: { USDT: '100000', ETH: '0' } });
    const harness = h;
    dir = mkdtempSync(join(tmpdir(), 'qts-recon-own-'));
    const dbPath = join(dir, 'live.db');
    const orphan = await partlyFilledOrphan(harness);
    harness.fake.faults.failRest('/api/v3/order', 503, 1);
    const records: Recorded = [];
    const rt = await startLiveRuntime(harness, config(dbPath), { log, audit: auditInto(records) });
    let costBasis: bigint;
    try {
      const results = records
        .filter((r) => r.kind === 'reconciliation.result')
        .map((r) => r.data['unresolved']);
      expect(results.length).toBeGreaterThan(1);
      expect(results.at(-1)).toBe(0);
      const portfolio = rt.node.portfolio;
      expect(portfolio.positionQty(SYMBOL)).toBe(orphan.qty - orphan.fee);
      expect(portfolio.positionQty(SYMBOL)).toBe(exchangeTotal(harness.fake, 'ETH'));
      expect(portfolio.cash()).toBe(parseFixed('100000') - orphan.notional);
      expect(portfolio.ledger.feesPaid('ETH')).toBe(orphan.fee);
      costBasis = portfolio.ledger.position(SYMBOL).costBasis;
      expect(costBasis).toBe(orphan.notional);
      expect(orphanRecords(records).map((r) => r.data['trades'])).toEqual([orphan.trades]);
    } finally {
      await rt.stop();
    }
    const again: Recorded = [];
    const rt2 = await startLiveRuntime(harness, config(dbPath), { log, audit: auditInto(again) });
    try {
      expect(differences(again)).toEqual([]);
      expect(orphanRecords(again)).toEqual([]);
      expect(rt2.node.portfolio.positionQty(SYMBOL)).toBe(exchangeTotal(harness.fake, 'ETH'));
      expect(rt2.node.portfolio.cash()).toBe(exchangeTotal(harness.fake, 'USDT'));
      expect(rt2.node.portfolio.ledger.position(SYMBOL).costBasis).toBe(costBasis);
    } finally {
      await rt2.stop();
    }
  }, 30_000);
});
