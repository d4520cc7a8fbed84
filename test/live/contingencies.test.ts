/**
 * Bracket children in live mode are emulated by the engine (LiveVenue + OrderEmulator):
 * held while the entry has no fill, released to the fake Binance under their own client
 * order id, sized to what the entry filled. The OMS journals into a real SQLite file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LiveVenue as LiveVenueType } from '../../src/app/LiveVenue.js';
import { EMULATED_VENUE_ID, LiveVenue } from '../../src/app/LiveVenue.js';
import type { LiveReconciler } from '../../src/app/LiveReconciler.js';
import type { LiveConfig } from '../../src/config/configSchema.js';
import { toFixed } from '../../src/core/Fixed.js';
import type { Fixed } from '../../src/core/Fixed.js';
import { RequestGate } from '../../src/exchanges/ccxt/RequestGate.js';
import { EmulatorReason } from '../../src/execution/OrderEmulator.js';
import type { Order } from '../../src/model/Order.js';
import type { OrderRequest } from '../../src/model/OrderRequest.js';
import type { SqliteDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { journaledOms } from './support/journaledOms.js';
import type { Harness } from './support/liveHarness.js';
import { FIXED_PER_UNIT, SYMBOL, duplicateOrders, startHarness, until } from './support/liveHarness.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const LIVE = { resolveWithinMs: 2_000, syncIntervalMs: 100, requestTimeoutMs: 3_000 } as LiveConfig;

function request(over: Partial<OrderRequest>): OrderRequest {
  return {
    symbol: SYMBOL,
    side: 'BUY',
    type: 'LIMIT',
    quantity: toFixed(3),
    timeInForce: 'GTC',
    postOnly: false,
    reduceOnly: false,
    ...over,
  };
}

/** One engine incarnation on the database: journaling OMS, ccxt client on the fake, the emulating venue. */
function incarnation(h: Harness, db: SqliteDatabase) {
  const now = (): number => Date.now();
  const { store, oms, client } = journaledOms(h, db, now, (what, err) => {
    if (process.env.QTS_TEST_LOG !== undefined) console.warn(what, err.kind, err.message);
  });
  const venue: LiveVenueType = new LiveVenue(
    client,
    undefined as unknown as LiveReconciler,
    new RequestGate({ now, sleep, maxOrders: 100, windowMs: 1000 }),
    LIVE,
    pino({ level: process.env.QTS_TEST_LOG ?? 'silent' }),
    () => Promise.resolve(),
    undefined,
    {
      order: (id) => oms.order(id) ?? store.load(id),
      isSpot: () => true,
      // What the books hold of the base (a buy's fee is taken in it), as the portfolio would.
      closable: () => {
        const b = h.fake.account.spotLedger.balance('ETH');
        return ((b.free + b.locked) * FIXED_PER_UNIT) as Fixed;
      },
    },
    now,
  );
  oms.connect(venue.orderClient);
  venue.connect((e) => oms.onReport(e));
  const send = (r: OrderRequest): Order => {
    const o = oms.create('s1', r);
    oms.send(o);
    return o;
  };
  return { store, oms, client, venue, send };
}

/** A bracket as NodeStrategyContext.bracket builds it: entry, stop-loss and take-profit children. */
function placeBracket(inc: ReturnType<typeof incarnation>, entryPx: Fixed) {
  const entry = inc.send(request({ price: entryPx }));
  const child = { parentId: entry.id, ocoGroup: `${entry.id}-oco1`, reduceOnly: true, side: 'SELL' as const };
  const stopLoss = inc.send(request({ ...child, type: 'STOP_MARKET', triggerPrice: toFixed(1900) }));
  const takeProfit = inc.send(request({ ...child, type: 'LIMIT', price: toFixed(2100) }));
  return { entry, stopLoss, takeProfit };
}

/** The base the account holds at the exchange (a buy's fee is taken in it). */
const heldEth = (h: Harness): bigint => {
  const b = h.fake.account.spotLedger.balance('ETH');
  return (b.free + b.locked) * FIXED_PER_UNIT;
};

const trade = (price: number) => ({
  symbol: SYMBOL,
  ts: 0,
  id: 'x',
  price,
  amount: 1,
  side: 'SELL' as const,
});

describe('brackets in live mode: emulated children against the fake Binance', () => {
  let h: Harness;
  let dir: string;
  let db: SqliteDatabase;

  beforeEach(async () => {
    h = await startHarness();
    dir = mkdtempSync(join(tmpdir(), 'qts-contingent-'));
    db = openDatabase(join(dir, 'qts.db'));
  });
  afterEach(async () => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
    await h.close();
  });

  /** Steps the tape until the entry has its first fill (one tape trade fills 1 of 3). */
  async function partlyFill(inc: ReturnType<typeof incarnation>, entry: Order): Promise<void> {
    await until(() => entry.isOpen && entry.venueOrderId !== undefined, 'entry acknowledged');
    for (let i = 0; i < 60 && entry.filledQty === 0n; i++) {
      h.fake.step(1);
      await inc.client.sync();
    }
    expect(entry.filledQty).toBeGreaterThan(0n);
    expect(entry.filledQty).toBeLessThan(entry.quantity);
  }

  it('entry partly filled → the stop sends a market sell for exactly the filled quantity, the take-profit ends locally', async () => {
    const inc = incarnation(h, db);
    const { entry, stopLoss, takeProfit } = placeBracket(inc, toFixed(2001));
    expect(stopLoss.status).toBe('ACCEPTED');
    expect(stopLoss.venueOrderId).toBe(EMULATED_VENUE_ID);
    expect(inc.venue.heldCount()).toBe(2);
    // Below the stop before any entry fill: nothing is sent.
    inc.venue.onTrade(trade(1800));
    expect(h.fake.account.orderByClientId(inc.client.clientIdOf(stopLoss.id))).toBeUndefined();
    // The price recovers: the fill below must not find the stop set off.
    inc.venue.onTrade(trade(2000));
    await partlyFill(inc, entry);
    inc.oms.cancel(entry.id, 'strategy gives up the rest');
    await until(() => entry.isTerminal, 'entry canceled');
    // What the entry filled, less the fee the exchange took in ETH: all there is to sell.
    const filled = heldEth(h);
    expect(filled).toBeGreaterThan(0n);
    expect(filled).toBeLessThanOrEqual(entry.filledQty);
    inc.venue.onTrade(trade(1850));
    await until(() => stopLoss.isTerminal, 'stop-loss done');
    await inc.client.idle();
    const sent = h.fake.account.orderByClientId(inc.client.clientIdOf(stopLoss.id));
    expect(sent?.type).toBe('MARKET');
    expect(sent !== undefined ? sent.origQty * FIXED_PER_UNIT : -1n).toBe(filled);
    expect(stopLoss.filledQty).toBe(filled);
    expect(heldEth(h)).toBe(0n);
    expect(takeProfit.status).toBe('CANCELED');
    expect(takeProfit.reason).toBe(EmulatorReason.EXHAUSTED);
    expect(h.fake.account.orderByClientId(inc.client.clientIdOf(takeProfit.id))).toBeUndefined();
    expect(duplicateOrders(h.fake)).toEqual([]);
  });

  it('take-profit partly filled → the stop shrinks to the remainder', async () => {
    const inc = incarnation(h, db);
    const { entry, stopLoss, takeProfit } = placeBracket(inc, toFixed(2001));
    await partlyFill(inc, entry);
    inc.oms.cancel(entry.id, 'rest not wanted');
    await until(() => entry.isTerminal, 'entry canceled');
    // The exchange reports a partial fill of the released take-profit: simulated at the OMS
    // level by the emulator's view (the tape cannot reach 2100), then the stop fires.
    const part = entry.filledQty / 2n;
    inc.venue.onTrade(trade(2100));
    await until(() => takeProfit.status !== 'ACCEPTED', 'take-profit released');
    await inc.client.idle();
    const tpAt = h.fake.account.orderByClientId(inc.client.clientIdOf(takeProfit.id));
    expect(tpAt?.type).toBe('LIMIT');
    expect(tpAt !== undefined ? tpAt.origQty * FIXED_PER_UNIT : -1n).toBe(heldEth(h));
    expect(part).toBeGreaterThan(0n);
    // The stop fires while the take-profit works: the take-profit is canceled first, then the
    // stop goes out for what the take-profit left (all of it here: it filled nothing).
    inc.venue.onTrade(trade(1850));
    await until(() => takeProfit.isTerminal, 'take-profit canceled');
    await until(() => stopLoss.isTerminal, 'stop-loss done', 8000);
    await inc.client.idle();
    const slAt = h.fake.account.orderByClientId(inc.client.clientIdOf(stopLoss.id));
    // The stop goes out for what the take-profit left of the position.
    expect(
      slAt !== undefined ? slAt.origQty * FIXED_PER_UNIT + takeProfit.filledQty : -1n,
    ).toBeLessThanOrEqual(entry.filledQty);
    expect(heldEth(h)).toBe(0n);
    expect(duplicateOrders(h.fake)).toEqual([]);
  });

  it('entry canceled unfilled → children canceled locally, nothing sent', async () => {
    const inc = incarnation(h, db);
    const { entry, stopLoss, takeProfit } = placeBracket(inc, toFixed(1500));
    await until(() => entry.venueOrderId !== undefined, 'entry acknowledged');
    inc.venue.onTrade(trade(1800));
    inc.oms.cancel(entry.id, 'changed mind');
    await until(() => entry.isTerminal, 'entry canceled');
    expect(stopLoss.status).toBe('CANCELED');
    expect(takeProfit.status).toBe('CANCELED');
    expect(stopLoss.reason).toBe(EmulatorReason.PARENT_UNFILLED);
    const ours = h.fake.account.orders('spot').map((o) => o.clientOrderId);
    expect(ours).toEqual([inc.client.clientIdOf(entry.id)]);
  });

  it('restart with emulated children (same SQLite file) → they still protect the position, nothing sent twice', async () => {
    const first = incarnation(h, db);
    const { entry, stopLoss } = placeBracket(first, toFixed(2001));
    await partlyFill(first, entry);
    first.oms.cancel(entry.id, 'rest not wanted');
    await until(() => entry.isTerminal, 'entry canceled');
    await first.client.idle();
    const filled = heldEth(h);
    // "Crash": a second incarnation on the same database restores the open orders.
    const second = incarnation(h, db);
    for (const o of second.store.loadOpenOrders()) {
      second.oms.adopt(o);
      second.venue.adopt(o);
    }
    expect(second.venue.heldCount()).toBe(2);
    second.venue.onTrade(trade(1850));
    const sl = second.oms.order(stopLoss.id);
    await until(() => sl?.isTerminal === true, 'restored stop-loss done');
    await second.client.idle();
    const sent = h.fake.account.orderByClientId(second.client.clientIdOf(stopLoss.id));
    expect(sent !== undefined ? sent.origQty * FIXED_PER_UNIT : -1n).toBe(filled);
    // A third incarnation after the release sends nothing again.
    const third = incarnation(h, db);
    for (const o of third.store.loadOpenOrders()) {
      third.oms.adopt(o);
      third.venue.adopt(o);
    }
    third.venue.onTrade(trade(1800));
    await third.client.idle();
    expect(duplicateOrders(h.fake)).toEqual([]);
    expect(h.fake.account.ordersCreated(second.client.clientIdOf(stopLoss.id))).toBe(1);
  });
});
