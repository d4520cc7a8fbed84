/**
 * Bracket children in live mode are emulated by the engine (LiveVenue + OrderEmulator):
 * held while the entry has no fill, released to the fake Binance under their own client
 * order id, sized to what the entry filled. The OMS journals into a real SQLite file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EMULATED_VENUE_ID } from '../../src/app/LiveVenue.js';
import { toFixed } from '../../src/core/Fixed.js';
import { EmulatorReason } from '../../src/execution/OrderEmulator.js';
import type { Order } from '../../src/model/Order.js';
import type { SqliteDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import type { Incarnation } from './support/emulatedBrackets.js';
import {
  bookedBase,
  bookedTradeIds,
  bracketOrders,
  filledBothSides,
  forwardTape,
  heldEth,
  incarnation,
  placeBracket,
  trade,
} from './support/emulatedBrackets.js';
import type { Harness } from './support/liveHarness.js';
import {
  FIXED_PER_UNIT,
  duplicateOrders,
  exchangeTradeIds,
  startHarness,
  until,
} from './support/liveHarness.js';

/** The default bracket of these tests: stop-loss 1900, take-profit 2100 (the tape stays within 1980-2020). */
const WIDE = { stop: 1900, takeProfit: 2100 };

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
  /** A bracket whose entry filled in part, the rest canceled: the children protect what it bought. */
  async function partlyFilledBracket(inc: Incarnation): Promise<ReturnType<typeof placeBracket>> {
    const bracket = placeBracket(inc, { entry: 2001, ...WIDE });
    await partlyFill(inc, bracket.entry);
    inc.oms.cancel(bracket.entry.id, 'rest not wanted');
    await until(() => bracket.entry.isTerminal, 'entry canceled');
    await inc.client.idle();
    return bracket;
  }

  async function partlyFill(inc: Incarnation, entry: Order): Promise<void> {
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
    const { entry, stopLoss, takeProfit } = placeBracket(inc, { entry: 2001, ...WIDE });
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

  /** Syncs the client until `cond` holds (REST lookups bring fills the create response did not). */
  async function syncUntil(inc: Incarnation, cond: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 100 && !cond(); i++) await inc.client.sync();
    await until(cond, what);
  }

  /** Replays the tape one trade at a time (each forwarded to the engine) until `cond` holds. */
  async function stepUntil(
    inc: () => Incarnation,
    cond: () => boolean,
    what: string,
    max = 60,
  ): Promise<void> {
    for (let i = 0; i < max && !cond(); i++) {
      h.fake.step(1);
      await inc().client.idle();
    }
    expect(cond(), what).toBe(true);
  }

  it('take-profit rests at the exchange and fills 1 of 3 on the tape; after a restart the stop goes out for exactly the remainder', async () => {
    // From trade 39 the tape rises from 1987 to 2020 (trade 55, the only print above 2019.81),
    // then falls to 1980: 1982.86 at trade 73 is the first print at or below 1983 after that.
    h.fake.step(34);
    let inc = incarnation(h, db);
    const unforward = forwardTape(h, () => inc.venue);
    const { entry, stopLoss, takeProfit } = placeBracket(inc, {
      entry: 1990,
      stop: 1983,
      takeProfit: 2019.81,
    });
    // 1990 crosses the ask: the entry fills on arrival, from the book.
    await syncUntil(inc, () => entry.status === 'FILLED', 'entry filled');
    const tpId = inc.client.clientIdOf(takeProfit.id);
    const slId = inc.client.clientIdOf(stopLoss.id);
    // Trade 54 prints 2019.81 as a buy (it lifted the ask): the take-profit fires and its
    // LIMIT sell at 2019.81 rests at the exchange, above the best bid.
    await stepUntil(
      () => inc,
      () => h.fake.account.orderByClientId(tpId) !== undefined,
      'take-profit at the exchange',
    );
    const tpAt = h.fake.account.orderByClientId(tpId);
    expect(tpAt?.type).toBe('LIMIT');
    expect(tpAt?.status).toBe('NEW');
    // Released for what the account holds: the entry less the fee the exchange took in ETH.
    expect(tpAt !== undefined ? tpAt.origQty * FIXED_PER_UNIT : -1n).toBe(heldEth(h));
    // Trade 55 (2020, amount 1) fills 1 of it as maker; the tape then turns down.
    h.fake.step(1);
    expect(tpAt?.executedQty).toBe(FIXED_PER_UNIT);
    await syncUntil(inc, () => takeProfit.filledQty === toFixed(1), 'take-profit partial fill booked');
    expect(takeProfit.isOpen).toBe(true);
    expect(stopLoss.status).toBe('ACCEPTED');
    expect(bookedBase(inc, bracketOrders(inc, entry.id))).toBe(heldEth(h));
    await inc.client.idle();

    // "Crash": a second incarnation on the same database takes the bracket back.
    inc = incarnation(h, db);
    inc.restore();
    expect(inc.venue.heldCount()).toBe(1);
    const sl = inc.oms.order(stopLoss.id);
    const tp = inc.oms.order(takeProfit.id);
    expect(tp?.filledQty).toBe(toFixed(1));
    const remainder = heldEth(h);
    expect(remainder).toBe(bookedBase(inc, bracketOrders(inc, entry.id)));
    // Down the tape: the stop fires, the resting take-profit is canceled first, then the stop
    // goes out as a MARKET sell for what the take-profit left.
    await stepUntil(
      () => inc,
      () => sl?.isTerminal === true,
      'stop-loss done',
    );
    await syncUntil(inc, () => tp?.isTerminal === true, 'take-profit ended');
    await inc.client.idle();
    unforward();
    expect(tp?.status).toBe('CANCELED');
    expect(tp?.reason).toBe(EmulatorReason.SIBLING_TRIGGERED);
    const slAt = h.fake.account.orderByClientId(slId);
    expect(slAt?.type).toBe('MARKET');
    expect(slAt !== undefined ? slAt.origQty * FIXED_PER_UNIT : -1n).toBe(remainder);
    expect(sl?.filledQty).toBe(remainder);
    // No oversell; flat at the exchange; the books agree with it to the unit.
    expect(toFixed(1) + remainder).toBeLessThanOrEqual(entry.filledQty);
    expect(heldEth(h)).toBe(0n);
    const orders = bracketOrders(inc, entry.id);
    expect(orders).toHaveLength(3);
    expect(bookedBase(inc, orders)).toBe(0n);
    const both = filledBothSides(h, inc, orders);
    expect(both.ours).toEqual(both.exchange);
    expect(bookedTradeIds(inc, orders)).toEqual([...exchangeTradeIds(h.fake)].sort());
    // Neither child was sent twice, nor lost, across the restart.
    expect(h.fake.account.ordersCreated(tpId)).toBe(1);
    expect(h.fake.account.ordersCreated(slId)).toBe(1);
    expect(duplicateOrders(h.fake)).toEqual([]);
  });

  it('entry fills in parts after the stop fired → each later part is sold too, never more than the entry filled', async () => {
    // The entry rests at 2001 and fills 1 per print at or below it: trades 22 (1999.97),
    // 23 (1997.13) and 24 (1994.34). The stop at 1999 fires at trade 23.
    const inc = incarnation(h, db);
    forwardTape(h, () => inc.venue);
    const { entry, stopLoss, takeProfit } = placeBracket(inc, { entry: 2001, stop: 1999, takeProfit: 2100 });
    await until(() => entry.venueOrderId !== undefined, 'entry acknowledged');
    const entryAt = () => h.fake.account.orderByClientId(inc.client.clientIdOf(entry.id));
    /** What the exchange sold for the bracket's children never exceeds what it bought for the entry. */
    const noOversell = (): void => {
      const sold = bracketOrders(inc, entry.id)
        .filter((o) => o.id !== entry.id)
        .reduce(
          (s, o) => s + (h.fake.account.orderByClientId(inc.client.clientIdOf(o.id))?.executedQty ?? 0n),
          0n,
        );
      expect(sold).toBeLessThanOrEqual(entryAt()?.executedQty ?? 0n);
    };
    await stepUntil(
      () => inc,
      () => entryAt()?.executedQty === 1n * FIXED_PER_UNIT,
      'first entry fill',
      30,
    );
    await syncUntil(inc, () => entry.filledQty === toFixed(1), 'first entry fill booked');
    expect(stopLoss.status).toBe('ACCEPTED');
    // What the first fill delivered: 1 less the fee the exchange took in ETH.
    const delivered = bookedBase(inc, [entry]);
    expect(delivered).toBeLessThan(toFixed(1));
    // Trade 23: the entry fills its second unit at the exchange, and the stop fires while the
    // books know of the first only: the stop goes out for what that one delivered.
    h.fake.step(1);
    await until(() => stopLoss.isTerminal, 'stop-loss done');
    await inc.client.idle();
    expect(stopLoss.filledQty).toBe(delivered);
    noOversell();
    // The second unit reaches the books while the stop's trigger holds: the stop's leg is
    // continued and sells it at once.
    await syncUntil(inc, () => entry.filledQty === toFixed(2), 'second entry fill booked');
    await until(() => heldEth(h) === 0n, 'second unit sold');
    await inc.client.idle();
    noOversell();
    // Trade 24: the third unit, the same way; then the entry is complete and the group exhausted.
    h.fake.step(1);
    await syncUntil(inc, () => entry.status === 'FILLED', 'entry filled');
    await until(() => takeProfit.isTerminal && heldEth(h) === 0n, 'group exhausted');
    await inc.client.idle();
    noOversell();

    const orders = bracketOrders(inc, entry.id);
    const stopLeg = orders.filter((o) => o.request.type === 'STOP_MARKET');
    // The stop and one continuation per later entry fill, each its own order at the exchange.
    expect(stopLeg).toHaveLength(3);
    for (const o of stopLeg) {
      expect(o.request.ocoGroup).toBe(stopLoss.request.ocoGroup);
      expect(o.request.triggerPrice).toBe(stopLoss.request.triggerPrice);
      const at = h.fake.account.orderByClientId(inc.client.clientIdOf(o.id));
      expect(at?.type).toBe('MARKET');
      expect(at?.side).toBe('SELL');
      expect(o.isTerminal).toBe(true);
    }
    expect(takeProfit.status).toBe('CANCELED');
    expect(takeProfit.reason).toBe(EmulatorReason.EXHAUSTED);
    expect(h.fake.account.orderByClientId(inc.client.clientIdOf(takeProfit.id))).toBeUndefined();
    // Everything the entry bought (less the fee in ETH) was sold, and the books agree to the unit.
    const sold = stopLeg.reduce((s, o) => s + o.filledQty, 0n);
    expect(sold).toBeLessThanOrEqual(entry.filledQty);
    expect(heldEth(h)).toBe(0n);
    expect(bookedBase(inc, orders)).toBe(0n);
    const both = filledBothSides(h, inc, orders);
    expect(both.ours).toEqual(both.exchange);
    expect(bookedTradeIds(inc, orders)).toEqual([...exchangeTradeIds(h.fake)].sort());
    expect(duplicateOrders(h.fake)).toEqual([]);
  });

  it('a released stop that never reached the exchange (5xx before processing) is continued, not given up: the position is still sold', async () => {
    const inc = incarnation(h, db);
    const { entry, stopLoss, takeProfit } = await partlyFilledBracket(inc);
    const held = heldEth(h);
    expect(held).toBeGreaterThan(0n);
    // The stop fires; its MARKET sell is refused by a 502 before the exchange processed it.
    h.fake.faults.failRest('/api/v3/order', 502, 1);
    inc.venue.onTrade(trade(1850));
    await until(() => stopLoss.status === 'TRIGGERED', 'stop-loss released');
    await inc.client.idle();
    expect(h.fake.account.orderByClientId(inc.client.clientIdOf(stopLoss.id))).toBeUndefined();
    // The lookup finds no such order past the bound: the stop ends as never having reached it.
    // Looked up until the bound (2 s) has passed: each lookup is a round trip to the fake.
    const deadline = performance.now() + 10_000;
    while (!stopLoss.isTerminal && performance.now() < deadline) await inc.client.sync();
    expect(stopLoss.status).toBe('REJECTED');
    expect(stopLoss.reasonCode).toBe('ERR_ORDER_NEVER_REACHED_EXCHANGE');
    // The price is still below the stop: the leg goes on under a new client order id and sells.
    inc.venue.onTrade(trade(1850));
    await until(() => heldEth(h) === 0n, 'position sold by the stop leg', 3_000);
    await syncUntil(inc, () => takeProfit.isTerminal, 'take-profit ended');
    await inc.client.idle();
    const orders = bracketOrders(inc, entry.id);
    const stopLeg = orders.filter((o) => o.request.type === 'STOP_MARKET');
    expect(stopLeg).toHaveLength(2);
    const continued = stopLeg.find((o) => o.id !== stopLoss.id);
    expect(continued?.isTerminal).toBe(true);
    expect(continued?.filledQty).toBe(held);
    expect(h.fake.account.ordersCreated(inc.client.clientIdOf(stopLoss.id))).toBe(0);
    expect(bookedBase(inc, orders)).toBe(0n);
    expect(duplicateOrders(h.fake)).toEqual([]);
  });

  it('a released stop the exchange refuses ends REJECTED (not stuck TRIGGERED), and its leg is given up, not resent', async () => {
    const inc = incarnation(h, db);
    const { entry, stopLoss, takeProfit } = await partlyFilledBracket(inc);
    h.fake.faults.failRest('/api/v3/order', 400, 1, {
      code: -2010,
      msg: 'Account has insufficient balance for requested action.',
    });
    inc.venue.onTrade(trade(1850));
    await until(() => stopLoss.isTerminal, 'stop-loss refused');
    await inc.client.idle();
    expect(stopLoss.status).toBe('REJECTED');
    expect(stopLoss.reasonCode).toBe('ERR_EXCHANGE_REJECTED');
    // The refusal is final: the leg is not sent again on the next prices.
    inc.venue.onTrade(trade(1840));
    inc.venue.onTrade(trade(1830));
    await inc.client.idle();
    const stopLeg = bracketOrders(inc, entry.id).filter((o) => o.request.type === 'STOP_MARKET');
    expect(stopLeg.map((o) => o.id)).toEqual([stopLoss.id]);
    expect(takeProfit.status).toBe('ACCEPTED');
    expect(inc.venue.heldCount()).toBe(1);
  });

  it('entry canceled unfilled → children canceled locally, nothing sent', async () => {
    const inc = incarnation(h, db);
    const { entry, stopLoss, takeProfit } = placeBracket(inc, { entry: 1500, ...WIDE });
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
    const { entry, stopLoss } = placeBracket(first, { entry: 2001, ...WIDE });
    await partlyFill(first, entry);
    first.oms.cancel(entry.id, 'rest not wanted');
    await until(() => entry.isTerminal, 'entry canceled');
    await first.client.idle();
    const filled = heldEth(h);
    // "Crash": a second incarnation on the same database restores the open orders.
    const second = incarnation(h, db);
    second.restore();
    expect(second.venue.heldCount()).toBe(2);
    second.venue.onTrade(trade(1850));
    const sl = second.oms.order(stopLoss.id);
    await until(() => sl?.isTerminal === true, 'restored stop-loss done');
    await second.client.idle();
    const sent = h.fake.account.orderByClientId(second.client.clientIdOf(stopLoss.id));
    expect(sent !== undefined ? sent.origQty * FIXED_PER_UNIT : -1n).toBe(filled);
    // A third incarnation after the release sends nothing again.
    const third = incarnation(h, db);
    third.restore();
    third.venue.onTrade(trade(1800));
    await third.client.idle();
    expect(duplicateOrders(h.fake)).toEqual([]);
    expect(h.fake.account.ordersCreated(second.client.clientIdOf(stopLoss.id))).toBe(1);
  });
});
