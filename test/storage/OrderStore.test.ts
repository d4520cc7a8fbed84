import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { div, formatFixed, toFixed } from '../../src/core/Fixed.js';
import { IdGenerator } from '../../src/core/ids.js';
import { isQtsError } from '../../src/core/QtsError.js';
import type { ExecutionClient } from '../../src/execution/ExecutionClient.js';
import { ExecutionEngine } from '../../src/execution/ExecutionEngine.js';
import { TestClock } from '../../src/kernel/Clock.js';
import { MessageBus } from '../../src/kernel/MessageBus.js';
import { ORDER_EVENTS } from '../../src/kernel/topics.js';
import type { OrderEvent } from '../../src/model/events.js';
import { Order } from '../../src/model/Order.js';
import type { OrderRequest } from '../../src/model/OrderRequest.js';
import type { SqliteDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { OrderStore } from '../../src/storage/sqlite/OrderStore.js';
import { tempDb } from './tempDb.js';

const t = tempDb('orders');
afterEach(() => t.remove());

function limit(
  side: 'BUY' | 'SELL',
  qty: string,
  px: string,
  extra: Partial<OrderRequest> = {},
): OrderRequest {
  return {
    symbol: 'BTC/USDT',
    side,
    type: 'LIMIT',
    quantity: toFixed(qty),
    price: toFixed(px),
    timeInForce: 'GTC',
    postOnly: false,
    reduceOnly: false,
    ...extra,
  };
}

/** A venue that only remembers what it was asked; the test plays its reports. */
class RecordingClient implements ExecutionClient {
  readonly venue = 'TEST';
  readonly submitted: string[] = [];
  readonly canceled: [string, string][] = [];
  submit(order: Order): void {
    this.submitted.push(order.id);
  }
  cancel(order: Order, reason: string): void {
    this.canceled.push([order.id, reason]);
  }
}

/** An OMS journaling into `db`, as the live engine will. */
function engineOn(db: SqliteDatabase, clock = new TestClock(1_700_000_000_000)) {
  const store = new OrderStore(db);
  const bus = new MessageBus();
  const engine = new ExecutionEngine(bus, clock, new IdGenerator('Q'), store.journal);
  const client = new RecordingClient();
  engine.connect(client);
  const fill = (o: Order, tradeId: string, qty: string, px: string) =>
    engine.onReport({
      type: 'OrderFilled',
      orderId: o.id,
      strategyId: o.strategyId,
      symbol: o.symbol,
      ts: clock.now(),
      tradeId,
      side: o.side,
      lastQty: toFixed(qty),
      lastPx: toFixed(px),
      fee: toFixed('0.0000001'),
      feeCurrency: 'USDT',
      liquidity: 'MAKER',
    });
  const report = (o: Order, type: 'OrderAccepted' | 'OrderCanceled' | 'OrderExpired', extra: object = {}) =>
    engine.onReport({
      type,
      orderId: o.id,
      strategyId: o.strategyId,
      symbol: o.symbol,
      ts: clock.now(),
      ...(type === 'OrderAccepted'
        ? { venueOrderId: `V-${o.id}` }
        : type === 'OrderCanceled'
          ? { reason: 'user' }
          : {}),
      ...extra,
    } as never);
  return { store, bus, engine, clock, client, fill, report };
}

function stateOf(o: Order) {
  return {
    id: o.id,
    strategyId: o.strategyId,
    request: o.request,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    status: o.status,
    filledQty: o.filledQty,
    filledNotional: o.filledNotional,
    avgPx: o.avgPx,
    feesPaid: o.feesPaid,
    venueOrderId: o.venueOrderId,
    reasonCode: o.reasonCode,
    reason: o.reason,
    pendingCancel: o.pendingCancel,
    events: o.events,
  };
}

describe('OrderStore', () => {
  let db: SqliteDatabase;
  beforeEach(() => {
    db = t.open();
  });

  it('journals an order event by event (each persisted before it is published) and reloads it exactly', () => {
    const { store, bus, engine, clock, client, fill, report } = engineOn(db);
    const seenOnDisk: [string, number][] = [];
    bus.subscribe(ORDER_EVENTS, (e: OrderEvent) => {
      // The bus delivers after the journal committed: the event is already on disk.
      seenOnDisk.push([e.type, store.events(e.orderId).length]);
    });
    const o = engine.create('sma', limit('BUY', '0.3', '100.2', { tag: 'entry ✓', ocoGroup: 'g1' }));
    expect(store.get(o.id)?.status).toBe('INITIALIZED');
    engine.send(o);
    expect(client.submitted).toEqual([o.id]);
    expect(store.get(o.id)?.status).toBe('SUBMITTED');
    clock.advanceTo(clock.now() + 10.25);
    report(o, 'OrderAccepted');
    fill(o, 'T1', '0.1', '100.1');
    expect(store.get(o.id)).toMatchObject({ status: 'PARTIALLY_FILLED', filledQty: toFixed('0.1') });
    fill(o, 'T2', '0.2', '100.2');
    expect(seenOnDisk).toEqual([
      ['OrderInitialized', 1],
      ['OrderSubmitted', 2],
      ['OrderAccepted', 3],
      ['OrderFilled', 4],
      ['OrderFilled', 5],
    ]);

    db.close();
    const reopened = new OrderStore(t.open());
    const loaded = reopened.load(o.id);
    expect(loaded).toBeDefined();
    expect(stateOf(loaded as Order)).toEqual(stateOf(o));
    // 30.05 / 0.3, rounded once half-even at 16 places: exact, not a float's guess.
    const expectedAvg = div(toFixed('30.05'), toFixed('0.3'));
    expect(loaded?.avgPx).toBe(expectedAvg);
    expect(formatFixed(expectedAvg)).toBe('100.1666666666666667');
    expect(reopened.get(o.id)).toMatchObject({
      status: 'FILLED',
      filledQty: toFixed('0.3'),
      avgPx: expectedAvg,
      feesPaid: toFixed('0.0000002'),
      venueOrderId: `V-${o.id}`,
      eventCount: 5,
      updatedAt: 1_700_000_000_010.25,
    });
    expect(reopened.events(o.id)).toEqual(o.events);
    expect(
      reopened.fills.forOrder(o.id).map((f) => [f.tradeId, formatFixed(f.qty), formatFixed(f.px)]),
    ).toEqual([
      ['T1', '0.1', '100.1'],
      ['T2', '0.2', '100.2'],
    ]);
  });

  it('stores amounts as exact decimal TEXT, never REAL', () => {
    const { engine } = engineOn(db);
    const o = engine.create('s', limit('SELL', '0.1', '0.0000000000000001'));
    const row = db
      .prepare('SELECT request, filled_qty, typeof(filled_qty) AS t FROM orders WHERE id = ?')
      .get(o.id);
    expect(row).toEqual({
      request: expect.stringContaining('"quantity":"0.1","price":"0.0000000000000001"') as unknown,
      filled_qty: '0',
      t: 'text',
    });
  });

  it('rebuilds the open orders after a restart, and journaling continues on them', () => {
    const { engine, fill, report } = engineOn(db);
    const filled = engine.create('a', limit('BUY', '1', '10'));
    engine.send(filled);
    fill(filled, 'T1', '1', '10');
    const denied = engine.create('a', limit('BUY', '1', '10'));
    engine.deny(denied, 'ERR_RISK_MAX_NOTIONAL', 'too big');
    const partly = engine.create('a', limit('BUY', '2', '10'));
    engine.send(partly);
    report(partly, 'OrderAccepted');
    fill(partly, 'T2', '0.5', '10');
    const resting = engine.create('b', limit('SELL', '3', '11'));
    engine.send(resting);
    report(resting, 'OrderAccepted');
    const inFlight = engine.create('b', limit('SELL', '1', '12'));
    engine.send(inFlight);
    const neverSent = engine.create('b', limit('SELL', '1', '13'));
    const canceled = engine.create('b', limit('SELL', '1', '14'));
    engine.send(canceled);
    report(canceled, 'OrderCanceled');

    db.close(); // the process dies here
    const db2 = t.open();
    const store = new OrderStore(db2);
    const open = store.loadOpenOrders();
    expect(open.map((o) => [o.id, o.status])).toEqual([
      [partly.id, 'PARTIALLY_FILLED'],
      [resting.id, 'ACCEPTED'],
      [inFlight.id, 'SUBMITTED'],
      [neverSent.id, 'INITIALIZED'],
    ]);
    expect(open.map(stateOf)).toEqual([partly, resting, inFlight, neverSent].map(stateOf));
    expect(open[0]?.hasTrade('T2')).toBe(true);
    expect(store.lastSequence('Q')).toBe(7);

    // The restarted OMS keeps journaling on a rebuilt order.
    const restored = open[0] as Order;
    const ev: OrderEvent = {
      type: 'OrderFilled',
      eventId: 'E1',
      orderId: restored.id,
      strategyId: 'a',
      symbol: 'BTC/USDT',
      ts: 5,
      tradeId: 'T3',
      side: 'BUY',
      lastQty: toFixed('1.5'),
      lastPx: toFixed('10'),
      fee: toFixed(0),
      feeCurrency: 'USDT',
      liquidity: 'TAKER',
    };
    restored.apply(ev);
    store.journal(restored, ev);
    expect(store.get(restored.id)?.status).toBe('FILLED');
    expect(store.loadOpenOrders().map((o) => o.id)).toEqual([resting.id, inFlight.id, neverSent.id]);
  });

  it('a cancel the venue never confirmed comes back from the journal as still wanted, and is asked again', () => {
    const { engine, client, report, fill } = engineOn(db);
    const asked = engine.create('a', limit('BUY', '2', '10'));
    engine.send(asked);
    report(asked, 'OrderAccepted');
    fill(asked, 'T1', '0.5', '10');
    const kept = engine.create('a', limit('BUY', '1', '9'));
    engine.send(kept);
    report(kept, 'OrderAccepted');
    // The intent is on disk before the venue hears of it; the venue's answer never comes.
    engine.cancel(asked.id, 'canceled via API by alice');
    expect(client.canceled).toEqual([[asked.id, 'canceled via API by alice']]);
    expect(new OrderStore(db).events(asked.id).map((e) => e.type)).toEqual([
      'OrderInitialized',
      'OrderSubmitted',
      'OrderAccepted',
      'OrderFilled',
      'OrderCancelRequested',
    ]);
    // The orders table says so too (the API's and the dashboard's "cancel pending").
    expect(new OrderStore(db).get(asked.id)?.cancelRequestedAt).toBe(1_700_000_000_000);
    expect(new OrderStore(db).get(kept.id)?.cancelRequestedAt).toBeUndefined();

    db.close(); // the process dies here
    const db2 = t.open();
    const store = new OrderStore(db2);
    const open = store.loadOpenOrders();
    expect(open.map(stateOf)).toEqual([asked, kept].map(stateOf));
    expect(open.map((o) => [o.id, o.status, o.pendingCancel?.reason])).toEqual([
      [asked.id, 'PARTIALLY_FILLED', 'canceled via API by alice'],
      [kept.id, 'ACCEPTED', undefined],
    ]);

    // The restarted OMS asks the venue again, with the first reason, and journals no second request.
    const bus = new MessageBus();
    const again = new ExecutionEngine(
      bus,
      new TestClock(1_700_000_001_000),
      new IdGenerator('Q'),
      store.journal,
    );
    const venue = new RecordingClient();
    again.connect(venue);
    for (const o of open) again.adopt(o);
    expect(again.resumeCancels().map((o) => o.id)).toEqual([asked.id]);
    expect(venue.canceled).toEqual([[asked.id, 'canceled via API by alice']]);
    expect(store.get(asked.id)?.eventCount).toBe(5);
    again.onReport({
      type: 'OrderCanceled',
      reason: 'canceled via API by alice',
      orderId: asked.id,
      strategyId: 'a',
      symbol: 'BTC/USDT',
      ts: 1_700_000_001_000,
    });
    expect(store.loadOpenOrders().map((o) => o.id)).toEqual([kept.id]);
    expect(store.get(asked.id)?.status).toBe('CANCELED');
    // Kept as history: when the cancel was first asked.
    expect(store.get(asked.id)?.cancelRequestedAt).toBe(1_700_000_000_000);
  });

  it('lists orders with filters for the API, newest first', () => {
    const { engine, clock, report } = engineOn(db);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      clock.advanceTo(clock.now() + 1000);
      const o = engine.create(
        i % 2 === 0 ? 'even' : 'odd',
        limit(i < 3 ? 'BUY' : 'SELL', '1', '10', {
          symbol: i < 4 ? 'BTC/USDT' : 'ETH/USDT',
        }),
      );
      engine.send(o);
      if (i % 3 === 0) report(o, 'OrderCanceled');
      ids.push(o.id);
    }
    const store = new OrderStore(db);
    const all = store.list();
    expect(all.map((r) => r.id)).toEqual([...ids].reverse());
    expect(store.list({ strategyId: 'even' }).map((r) => r.id)).toEqual([ids[4], ids[2], ids[0]]);
    expect(store.list({ symbol: 'ETH/USDT' }).map((r) => r.id)).toEqual([ids[5], ids[4]]);
    expect(store.list({ status: 'CANCELED' }).map((r) => r.id)).toEqual([ids[3], ids[0]]);
    expect(store.list({ status: ['CANCELED', 'SUBMITTED'] })).toHaveLength(6);
    expect(store.list({ status: [] })).toHaveLength(0);
    expect(store.list({ open: true }).map((r) => r.id)).toEqual([ids[5], ids[4], ids[2], ids[1]]);
    expect(store.list({ open: false }).map((r) => r.id)).toEqual([ids[3], ids[0]]);
    const t0 = (all.at(-1)?.createdAt ?? 0) + 1000;
    expect(store.list({ from: t0, to: t0 + 2000 }).map((r) => r.id)).toEqual([ids[2], ids[1]]);
    expect(store.list({ limit: 2, offset: 1 }).map((r) => r.id)).toEqual([ids[4], ids[3]]);
    expect(store.get('nope')).toBeUndefined();
    expect(store.load('nope')).toBeUndefined();
    expect(store.events('nope')).toEqual([]);
  });

  it('refuses events the order did not apply, out of order, or for an order never journaled', () => {
    const store = new OrderStore(db);
    const req = limit('BUY', '1', '10');
    const base = { orderId: 'X1', strategyId: 's', symbol: 'BTC/USDT', ts: 1 };
    const init: OrderEvent = { ...base, eventId: 'E1', type: 'OrderInitialized', request: req };
    const submitted: OrderEvent = { ...base, eventId: 'E2', type: 'OrderSubmitted' };
    const code = (f: () => void) => {
      try {
        f();
      } catch (e) {
        return isQtsError(e) ? e.code : String(e);
      }
      return 'no error';
    };

    const o = new Order('X1', 's', req, 1);
    expect(code(() => store.journal(o, init))).toBe('ERR_DB_JOURNAL'); // not applied yet
    o.apply(init);
    o.apply(submitted);
    // The journal never saw OrderInitialized: there is no row to move on.
    expect(code(() => store.journal(o, submitted))).toBe('ERR_DB_JOURNAL');
    expect(store.get('X1')).toBeUndefined();

    const p = new Order('X2', 's', req, 1);
    const init2 = { ...init, orderId: 'X2' };
    p.apply(init2);
    store.journal(p, init2);
    expect(code(() => store.journal(p, init2))).toMatch(/SQLITE_CONSTRAINT|UNIQUE/);
    expect(store.events('X2')).toHaveLength(1);
  });

  it('fields an adapter left on an event object beyond the model are not part of the record', () => {
    const { engine, report } = engineOn(db);
    const o = engine.create('s', limit('BUY', '1', '10'));
    engine.send(o);
    report(o, 'OrderAccepted', { info: { raw: 'venue payload' } });
    expect(new OrderStore(db).events(o.id)[2]).toEqual({
      type: 'OrderAccepted',
      eventId: 'E000003',
      orderId: o.id,
      strategyId: 's',
      symbol: 'BTC/USDT',
      ts: 1_700_000_000_000,
      venueOrderId: `V-${o.id}`,
    });
  });

  it('a stored event that does not decode is ERR_DB_CORRUPT naming the row', () => {
    const { engine } = engineOn(db);
    const o = engine.create('s', limit('BUY', '1', '10'));
    db.prepare("UPDATE order_events SET event = json_set(event, '$.request.quantity', 1.5)").run();
    const store = new OrderStore(db);
    let error: unknown;
    try {
      store.load(o.id);
    } catch (e) {
      error = e;
    }
    expect(isQtsError(error, 'ERR_DB_CORRUPT')).toBe(true);
    expect((error as Error).message).toContain(`order_events ${o.id}#0`);
  });
});
