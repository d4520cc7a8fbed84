import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toFixed } from '../../src/core/Fixed.js';
import type { OrderRequest } from '../../src/model/OrderRequest.js';
import type { SqliteDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { signedFetch } from '../fakeBinance/privateHelpers.js';
import { journaledOms } from './support/journaledOms.js';
import type { Harness } from './support/liveHarness.js';
import { FIXED_PER_UNIT, KEYS, SYMBOL, startHarness, until } from './support/liveHarness.js';

/**
 * What happened at the exchange while the engine was down is caught up at the restart, from the
 * journal's open orders and the exchange's REST views: a resting order that filled in several
 * trades gets exactly those trades (ids, quantities, prices, fees), an order a human canceled on
 * the exchange ends CANCELED, and one partly filled then canceled keeps its fills and ends
 * CANCELED. Repeated sync passes (the reconciliation runs two or three) book nothing twice.
 */
const limit = (side: 'BUY' | 'SELL', qty: string, price: string): OrderRequest => ({
  symbol: SYMBOL,
  side,
  type: 'LIMIT',
  quantity: toFixed(qty),
  price: toFixed(price),
  timeInForce: 'GTC',
  postOnly: false,
  reduceOnly: false,
});

function incarnation(h: Harness, db: SqliteDatabase) {
  const { store, oms, client } = journaledOms(h, db, Date.now);
  oms.connect(client);
  client.setSink((e) => oms.onReport(e));
  return { store, oms, client };
}

describe('restart catch-up of orders that moved at the exchange while the engine was down', () => {
  let h: Harness;
  let dir: string;
  let db: SqliteDatabase;

  beforeEach(async () => {
    // 400 trades of 1 ETH around 2000 ± 20; ETH to sell as well as USDT to buy.
    h = await startHarness({ balances: { USDT: '100000', ETH: '10' } });
    dir = mkdtempSync(join(tmpdir(), 'qts-catchup-'));
    db = openDatabase(join(dir, 'qts.db'));
  });

  afterEach(async () => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
    await h.close();
  });

  it('books every trade of a fill made while down once, with its fee, and closes exchange cancels as CANCELED', async () => {
    const first = incarnation(h, db);
    // Filled while down, over several tape trades (each carries 1 ETH).
    const filled = first.oms.create('s1', limit('BUY', '2.5', '1995'));
    // Canceled by a human on the exchange while down, never filled.
    const untouched = first.oms.create('s1', limit('BUY', '0.1', '1500'));
    // Partly filled, then canceled by a human while down.
    const partial = first.oms.create('s1', limit('SELL', '3', '2012'));
    for (const o of [filled, untouched, partial]) first.oms.send(o);
    await first.client.idle();
    await first.client.sync();
    for (const o of [filled, untouched, partial]) expect(o.status).toBe('ACCEPTED');

    // The engine is gone. The market moves until the sell has one trade and not all of it.
    const cidOf = (id: string): string => `qts${id}`;
    const fakeOrder = (id: string) => h.fake.account.orderByClientId(cidOf(id));
    for (let i = 0; i < 200 && (fakeOrder(partial.id)?.executedQty ?? 0n) === 0n; i++) h.fake.step(1);
    const partialFilled = fakeOrder(partial.id)?.executedQty ?? 0n;
    expect(partialFilled).toBeGreaterThan(0n);
    expect(partialFilled * FIXED_PER_UNIT).toBeLessThan(partial.quantity);
    for (const o of [untouched, partial]) {
      const res = await signedFetch(
        h.fake,
        'DELETE',
        '/api/v3/order',
        { symbol: 'ETHUSDT', origClientOrderId: cidOf(o.id) },
        { key: KEYS.apiKey, secret: KEYS.secret },
      );
      expect(res.status).toBe(200);
    }
    for (let i = 0; i < 200 && fakeOrder(filled.id)?.status !== 'FILLED'; i++) h.fake.step(1);
    expect(fakeOrder(filled.id)?.status).toBe('FILLED');

    const second = incarnation(h, db);
    const restored = second.store.loadOpenOrders();
    expect(restored.map((r) => r.id).sort()).toEqual([filled.id, untouched.id, partial.id].sort());
    for (const r of restored) {
      second.oms.adopt(r);
      second.client.adopt(r);
    }
    // The startup reconciliation syncs more than once: a second pass must book nothing again.
    await second.client.sync();
    await second.client.sync();
    await second.client.sync();

    const fakeTrades = (id: string) =>
      h.fake.account
        .trades('spot')
        .filter((t) => t.clientOrderId === cidOf(id))
        .map((t) => ({
          tradeId: String(t.tradeId),
          lastQty: t.qty * FIXED_PER_UNIT,
          lastPx: t.price * FIXED_PER_UNIT,
          fee: t.commission * FIXED_PER_UNIT,
          feeCurrency: t.commissionAsset,
        }));
    const bookedFills = (id: string) =>
      (second.store.load(id)?.events ?? [])
        .flatMap((e) => (e.type === 'OrderFilled' ? [e] : []))
        .map((e) => ({
          tradeId: e.tradeId,
          lastQty: e.lastQty,
          lastPx: e.lastPx,
          fee: e.fee,
          feeCurrency: e.feeCurrency,
        }));

    expect(fakeTrades(filled.id).length).toBeGreaterThanOrEqual(3);
    expect(bookedFills(filled.id)).toEqual(fakeTrades(filled.id));
    expect(second.store.load(filled.id)?.status).toBe('FILLED');
    expect(second.store.load(filled.id)?.filledQty).toBe(filled.quantity);

    expect(bookedFills(untouched.id)).toEqual([]);
    expect(second.store.load(untouched.id)?.status).toBe('CANCELED');

    expect(fakeTrades(partial.id).length).toBeGreaterThanOrEqual(1);
    expect(bookedFills(partial.id)).toEqual(fakeTrades(partial.id));
    const partialRecord = second.store.load(partial.id);
    expect(partialRecord?.status).toBe('CANCELED');
    expect(partialRecord?.filledQty).toBe(partialFilled * FIXED_PER_UNIT);
    expect(second.oms.duplicateFills).toBe(0);
    expect(second.store.loadOpenOrders()).toEqual([]);
  });

  it('a fill booked before the crash, fills made while down and fills on the private stream after the restart: each trade booked once', async () => {
    const first = incarnation(h, db);
    // 6 ETH at 1995: the tape's 1-ETH trades fill it over many trades, across both lives.
    const o = first.oms.create('s1', limit('BUY', '6', '1995'));
    first.oms.send(o);
    await first.client.idle();
    const cid = `qts${o.id}`;
    const onExchange = () => h.fake.account.orderByClientId(cid);
    const fakeTrades = () =>
      h.fake.account
        .trades('spot')
        .filter((t) => t.clientOrderId === cid)
        .map((t) => ({
          tradeId: String(t.tradeId),
          lastQty: t.qty * FIXED_PER_UNIT,
          fee: t.commission * FIXED_PER_UNIT,
        }));
    for (let i = 0; i < 200 && fakeTrades().length < 1; i++) h.fake.step(1);
    await first.client.sync();
    const bookedBefore = first.store.load(o.id)?.events.filter((e) => e.type === 'OrderFilled').length ?? 0;
    expect(bookedBefore).toBeGreaterThanOrEqual(1);

    // Down: two more trades.
    const atCrash = fakeTrades().length;
    for (let i = 0; i < 200 && fakeTrades().length < atCrash + 2; i++) h.fake.step(1);
    expect(onExchange()?.status).toBe('PARTIALLY_FILLED');

    const second = incarnation(h, db);
    for (const r of second.store.loadOpenOrders()) {
      second.oms.adopt(r);
      second.client.adopt(r);
    }
    second.client.startStreams();
    try {
      await until(
        () => second.client.syncPace().streams === 'healthy',
        'the private streams to be confirmed',
      );
      // The full REST pass after the subscription catches up what happened while down.
      await second.client.idle();
      // Live again: the rest fills while the stream is subscribed, and REST passes look too.
      await until(() => {
        h.fake.step(1);
        return onExchange()?.status === 'FILLED';
      }, 'the tape to fill the rest');
      await until(() => second.oms.order(o.id)?.status === 'FILLED', 'the fills to be booked', 10_000);
      await second.client.sync();
      await second.client.idle();
    } finally {
      second.client.stopStreams();
    }
    const booked = (second.store.load(o.id)?.events ?? [])
      .flatMap((e) => (e.type === 'OrderFilled' ? [e] : []))
      .map((e) => ({ tradeId: e.tradeId, lastQty: e.lastQty, fee: e.fee }));
    expect([...booked].sort((a, b) => a.tradeId.localeCompare(b.tradeId))).toEqual(
      [...fakeTrades()].sort((a, b) => a.tradeId.localeCompare(b.tradeId)),
    );
    expect(second.store.load(o.id)?.filledQty).toBe(o.quantity);
    // Both sources really delivered trades after the restart: the stream's and REST's copies met.
    expect(second.oms.duplicateFills).toBeGreaterThan(0);
  });
});
