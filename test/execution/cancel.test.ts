/**
 * Cancel through the OMS: the intent (OrderCancelRequested) is journaled in a real SQLite file
 * before the venue hears of it, the order stays open until the venue confirms, and a restart in
 * between asks the venue again with the first reason.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Fixed } from '../../src/core/Fixed.js';
import { toFixed } from '../../src/core/Fixed.js';
import { isQtsError } from '../../src/core/QtsError.js';
import type { ExecutionClient } from '../../src/execution/ExecutionClient.js';
import type { Order } from '../../src/model/Order.js';
import type { OrderRequest } from '../../src/model/OrderRequest.js';
import type { SimulatedVenue } from '../../src/sim/SimulatedVenue.js';
import { OrderStore } from '../../src/storage/sqlite/OrderStore.js';
import { tempDb } from '../storage/tempDb.js';
import { minuteBar, simNode } from '../node/support/simNode.js';

const SYM = 'BTC/USDT';
const px = (n: number | string): Fixed => toFixed(n);

function limitBuy(qty: number, price: number): OrderRequest {
  return {
    symbol: SYM,
    side: 'BUY',
    type: 'LIMIT',
    quantity: px(qty),
    price: px(price),
    timeInForce: 'GTC',
    postOnly: false,
    reduceOnly: false,
  };
}

const dbs: ReturnType<typeof tempDb>[] = [];
afterEach(() => {
  for (const d of dbs.splice(0)) d.remove();
});

function storeIn(prefix: string): { store: OrderStore; t: ReturnType<typeof tempDb> } {
  const t = tempDb(prefix);
  dbs.push(t);
  return { store: new OrderStore(t.open()), t };
}

/**
 * A node journaling to `store` on a simulated venue that answers amends, and whose cancels are
 * held (never answered) while `hold` says so; one bar at 100 seen.
 */
function engine(store: OrderStore, idsUsed = 0) {
  const asked: [string, string, number][] = [];
  let hold = true;
  const { node, venue, feed } = simNode({
    symbol: SYM,
    journal: store.journal,
    orderIdsUsed: idsUsed,
    client: (v: SimulatedVenue): ExecutionClient => ({
      venue: 'SIM',
      submit: (o) => v.submit(o),
      cancel: (o, r) => {
        // What the journal held when the venue was asked.
        asked.push([o.id, r, store.events(o.id).length]);
        if (!hold) v.cancel(o, r);
      },
      amend: (o, terms) => v.amend(o, terms),
    }),
  });
  feed(minuteBar(0, 100, 100, 100, 100, SYM));
  return { node, venue, asked, release: () => (hold = false) };
}

const types = (store: OrderStore, id: string): string[] => store.events(id).map((e) => e.type);

describe('cancel through the OMS', () => {
  it('journals the intent before the venue hears of it; the order stays open until the venue confirms', () => {
    const { store } = storeIn('cancel-oms');
    const { node, asked, release } = engine(store);
    const order = node.submit('s', limitBuy(1, 90));
    node.oms.cancel(order.id, 'canceled by strategy');
    // The venue was asked with the request already on disk (4 events: …, OrderCancelRequested).
    expect(asked).toEqual([[order.id, 'canceled by strategy', 4]]);
    expect(types(store, order.id).at(-1)).toBe('OrderCancelRequested');
    expect([order.status, order.isOpen, order.pendingCancel?.reason]).toEqual([
      'ACCEPTED',
      true,
      'canceled by strategy',
    ]);
    // New terms for an order on its way out are refused.
    let err: unknown;
    try {
      node.amend(order.id, { price: px(91) }, 'late');
    } catch (e) {
      err = e;
    }
    expect(isQtsError(err, 'ERR_CANCEL_PENDING')).toBe(true);
    // Asking again goes to the venue again, without a second request in the journal.
    release();
    node.oms.cancel(order.id, 'kill switch (ops)');
    expect(asked.map(([, r]) => r)).toEqual(['canceled by strategy', 'kill switch (ops)']);
    expect(types(store, order.id).slice(-2)).toEqual(['OrderCancelRequested', 'OrderCanceled']);
    expect([order.status, order.reason]).toEqual(['CANCELED', 'kill switch (ops)']);
  });

  it('a closed or unknown order is not asked, and nothing is journaled', () => {
    const { store } = storeIn('cancel-closed');
    const { node, asked, release } = engine(store);
    release();
    const order = node.submit('s', limitBuy(1, 90));
    node.oms.cancel(order.id, 'first');
    expect(order.status).toBe('CANCELED');
    const events = store.events(order.id).length;
    node.oms.cancel(order.id, 'again');
    node.oms.cancel('nope', 'unknown');
    expect([asked.length, store.events(order.id).length]).toEqual([1, events]);
  });

  it('restart between intent and answer: the order comes back open, its cancel wanted, and is asked again', () => {
    const { store, t } = storeIn('cancel-restart');
    const first = engine(store);
    const order = first.node.submit('s', limitBuy(1, 90));
    const kept = first.node.submit('s', limitBuy(1, 80));
    first.node.oms.cancel(order.id, 'canceled via API by alice');
    expect(order.isOpen).toBe(true);

    // Restart: a new connection to the same file, the open orders rebuilt from the journal.
    const reopened = new OrderStore(t.open());
    const restored = reopened.loadOpenOrders();
    expect(restored.map((o: Order) => [o.id, o.status, o.pendingCancel?.reason])).toEqual([
      [order.id, 'ACCEPTED', 'canceled via API by alice'],
      [kept.id, 'ACCEPTED', undefined],
    ]);
    const second = engine(reopened, 2);
    second.release();
    for (const o of restored) {
      second.node.oms.adopt(o);
      second.venue.adopt(o);
    }
    expect(second.node.oms.resumeCancels().map((o) => o.id)).toEqual([order.id]);
    expect(second.node.oms.openOrders().map((o) => o.id)).toEqual([kept.id]);
    expect(second.node.oms.order(order.id)?.reason).toBe('canceled via API by alice');
    expect(types(reopened, order.id).slice(-2)).toEqual(['OrderCancelRequested', 'OrderCanceled']);
    // Nothing more is pending: a second pass asks nothing.
    expect(second.node.oms.resumeCancels()).toEqual([]);
  });
});
