/**
 * An order event the journal cannot write (a full disk) before the venue has seen the order:
 * the OMS forgets the order as the journal knows it, so memory never holds an "open" order that
 * no venue has and no restart would know. The journal is a real SQLite file; one event type is
 * made to fail the way a full disk fails it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { toFixed } from '../../src/core/Fixed.js';
import { isQtsError, QtsError } from '../../src/core/QtsError.js';
import type { OrderJournal } from '../../src/execution/ExecutionEngine.js';
import type { OrderRequest } from '../../src/model/OrderRequest.js';
import type { OrderEvent } from '../../src/model/events.js';
import { OrderStore } from '../../src/storage/sqlite/OrderStore.js';
import { tempDb } from '../storage/tempDb.js';
import { minuteBar, simNode } from '../node/support/simNode.js';

const SYM = 'BTC/USDT';

const limitBuy = (price: number): OrderRequest => ({
  symbol: SYM,
  side: 'BUY',
  type: 'LIMIT',
  quantity: toFixed('0.01'),
  price: toFixed(price),
  timeInForce: 'GTC',
  postOnly: false,
  reduceOnly: false,
});

const dbs: ReturnType<typeof tempDb>[] = [];
afterEach(() => {
  for (const d of dbs.splice(0)) d.remove();
});

/** A node journaling to a real file whose writes of `failing` event types fail as SQLITE_FULL; at most 1 open order. */
function engine() {
  const t = tempDb('unjournaled');
  dbs.push(t);
  const store = new OrderStore(t.open());
  const failing = new Set<OrderEvent['type']>();
  const journal: OrderJournal = Object.assign(
    (order: Parameters<OrderJournal>[0], event: OrderEvent): void => {
      if (failing.has(event.type))
        throw new QtsError('ERR_DB_WRITE', `order ${order.id}: ${event.type} not journaled`, {
          sqlite: 'SQLITE_FULL',
        });
      store.journal(order, event);
    },
    { load: store.journal.load },
  );
  const sent: string[] = [];
  const canceled: string[] = [];
  const { node, venue, feed } = simNode({
    symbol: SYM,
    journal,
    riskLimits: { maxOpenOrders: 1 },
    client: (v) => ({
      venue: 'SIM',
      submit: (o) => {
        sent.push(o.id);
        v.submit(o);
      },
      cancel: (o, r) => {
        canceled.push(o.id);
        v.cancel(o, r);
      },
    }),
  });
  feed(minuteBar(0, 100, 100, 100, 100, SYM));
  return { node, venue, store, failing, sent, canceled };
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('an order event the journal cannot write, before any venue has the order', () => {
  it('a submit not journaled: never sent, not open in memory, INITIALIZED in the journal; the next order is not blocked by it', () => {
    const { node, store, failing, sent, canceled } = engine();
    failing.add('OrderSubmitted');
    const err = thrown(() => node.submit('s', limitBuy(90)));
    expect(isQtsError(err, 'ERR_DB_WRITE')).toBe(true);
    expect(sent).toEqual([]);
    expect(node.oms.openOrders()).toEqual([]);
    const [lost] = store.loadOpenOrders();
    expect(lost?.status).toBe('INITIALIZED');
    // Looked up by id, it is what the journal holds (a restart would deny it).
    expect(node.oms.lookup(lost?.id ?? '')?.status).toBe('INITIALIZED');

    // A cancel of it (the kill switch's, by id) asks no venue that never had it.
    node.oms.cancel(lost?.id ?? '', 'kill switch');
    expect(canceled).toEqual([]);

    // The disk has room again: the open-order limit (1) is not taken by the lost one.
    failing.clear();
    const next = node.submit('s', limitBuy(91));
    expect([next.status, next.reasonCode]).toEqual(['ACCEPTED', undefined]);
    expect(sent).toEqual([next.id]);
  });

  it('an order whose creation was not journaled does not exist: not open, not counted', () => {
    const { node, store, failing, sent } = engine();
    const before = node.oms.orderCounts().total;
    failing.add('OrderInitialized');
    const err = thrown(() => node.submit('s', limitBuy(90)));
    expect(isQtsError(err, 'ERR_DB_WRITE')).toBe(true);
    expect([node.oms.orderCounts().total, sent.length, store.loadOpenOrders().length]).toEqual([
      before,
      0,
      0,
    ]);
    expect(node.oms.openOrders()).toEqual([]);
  });
});
