/**
 * Amend through the OMS: risk judges the new terms, the intent is journaled in a real SQLite
 * file before the venue hears of it, terms change only on the venue's confirmation, and a
 * restart between intent and answer leaves the order on its journaled terms.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Fixed } from '../../src/core/Fixed.js';
import { toFixed } from '../../src/core/Fixed.js';
import type { ExecutionClient } from '../../src/execution/ExecutionClient.js';
import type { Bar } from '../../src/model/Bar.js';
import type { Order } from '../../src/model/Order.js';
import type { OrderRequest } from '../../src/model/OrderRequest.js';
import type { RiskLimits } from '../../src/risk/preTradeRules.js';
import type { SimulatedVenue } from '../../src/sim/SimulatedVenue.js';
import { OrderStore } from '../../src/storage/sqlite/OrderStore.js';
import { tempDb } from '../storage/tempDb.js';
import { minuteBar, simNode } from '../node/support/simNode.js';

const SYM = 'BTC/USDT';
const px = (n: number | string): Fixed => toFixed(n);

const bar = (i: number, o: number, h: number, l: number, c: number): Bar => minuteBar(i, o, h, l, c, SYM);

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

/** A node journaling to `store`, on a simulated venue (or `client` when given), with one bar at 100 seen. */
function engine(
  store: OrderStore,
  opts: { riskLimits?: RiskLimits; client?: (v: SimulatedVenue) => ExecutionClient; idsUsed?: number } = {},
) {
  const { node, venue, feed, clock } = simNode({
    symbol: SYM,
    journal: store.journal,
    orderIdsUsed: opts.idsUsed ?? 0,
    ...(opts.riskLimits === undefined ? {} : { riskLimits: opts.riskLimits }),
    ...(opts.client === undefined ? {} : { client: opts.client }),
  });
  feed(bar(0, 100, 100, 100, 100));
  return { node, venue, feed, clock };
}

function storeIn(prefix: string): { store: OrderStore; t: ReturnType<typeof tempDb> } {
  const t = tempDb(prefix);
  dbs.push(t);
  return { store: new OrderStore(t.open()), t };
}

const types = (store: OrderStore, id: string): string[] => store.events(id).map((e) => e.type);

describe('amend through the OMS', () => {
  it('journals intent then confirmation, changes the terms, and the order fills at the new price', () => {
    const { store } = storeIn('amend-oms');
    const { node, feed } = engine(store);
    const order = node.submit('s', limitBuy(2, 90));
    expect(order.status).toBe('ACCEPTED');
    node.amend(order.id, { price: px(98), quantity: px('1.5') }, 'closer to the market');
    expect(types(store, order.id)).toEqual([
      'OrderInitialized',
      'OrderSubmitted',
      'OrderAccepted',
      'OrderAmendRequested',
      'OrderAmended',
    ]);
    const amended = store.events(order.id).at(-1);
    expect(amended).toMatchObject({
      type: 'OrderAmended',
      price: px(98),
      quantity: px('1.5'),
      previousPrice: px(90),
      previousQuantity: px(2),
      reason: 'closer to the market',
    });
    expect([order.request.price, order.quantity, order.pendingAmend]).toEqual([px(98), px('1.5'), undefined]);
    // The summary row and a replay from the journal agree with memory.
    expect(store.load(order.id)?.request.price).toBe(px(98));
    feed(bar(1, 100, 100, 97, 99)); // the low passes 98 (and not 90)
    expect([order.status, order.filledQty, order.avgPx]).toEqual(['FILLED', px('1.5'), px(98)]);
    expect(node.portfolio.positionQty(SYM)).toBe(px('1.5'));
  });

  it('risk judges the new terms: a price outside the band is denied, the order keeps its terms', () => {
    const { store } = storeIn('amend-risk');
    const { node } = engine(store, { riskLimits: { priceBandPct: 0.2, maxOrderNotional: 500 } });
    const order = node.submit('s', limitBuy(2, 90));
    expect(order.status).toBe('ACCEPTED');
    node.amend(order.id, { price: px(50) }, 'fat finger');
    expect(order.events.at(-1)).toMatchObject({ type: 'OrderAmendRejected', code: 'ERR_RISK_PRICE_BAND' });
    expect(order.request.price).toBe(px(90));
    // Notional of the part still to fill: 2 × 99 = 198 passes, a larger order would not have.
    node.amend(order.id, { price: px(99) }, 'ok');
    expect(order.request.price).toBe(px(99));
    expect(types(store, order.id).slice(3)).toEqual([
      'OrderAmendRejected',
      'OrderAmendRequested',
      'OrderAmended',
    ]);
  });

  it('refuses with a coded error before journaling anything: unknown, closed, raised quantity, unsupported venue', () => {
    const { store } = storeIn('amend-refuse');
    const { node } = engine(store);
    const order = node.submit('s', limitBuy(2, 90));
    const n = store.events(order.id).length;
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
        return undefined;
      } catch (e) {
        return (e as { code?: string }).code;
      }
    };
    expect(code(() => node.amend('Q999', { price: px(91) }, 'x'))).toBe('ERR_ORDER_NOT_FOUND');
    expect(code(() => node.amend(order.id, { quantity: px(3) }, 'x'))).toBe('ERR_AMEND_QUANTITY');
    expect(code(() => node.amend(order.id, {}, 'x'))).toBe('ERR_AMEND_INVALID');
    expect(store.events(order.id).length).toBe(n);
    node.oms.cancel(order.id, 'done');
    expect(code(() => node.amend(order.id, { price: px(91) }, 'x'))).toBe('ERR_AMEND_NOT_OPEN');

    const other = storeIn('amend-unsupported');
    const plain = engine(other.store, {
      client: (v): ExecutionClient => ({
        venue: 'PLAIN',
        submit: (o) => v.submit(o),
        cancel: (o, r) => v.cancel(o, r),
      }),
    });
    const o2 = plain.node.submit('s', limitBuy(1, 90));
    expect(code(() => plain.node.amend(o2.id, { price: px(91) }, 'x'))).toBe('ERR_AMEND_NOT_SUPPORTED');
    expect(other.store.events(o2.id).length).toBe(3);
  });

  it('a venue refusal ends the amend with its code (the venue saw a fill the OMS has not yet)', () => {
    const { store } = storeIn('amend-venue-refuses');
    const { node } = engine(store, {
      client: (v): ExecutionClient => ({
        venue: 'SLOW',
        submit: (o) => v.submit(o),
        cancel: (o, r) => v.cancel(o, r),
        amend: () => Promise.reject(Object.assign(new Error('filled meanwhile'), { code: 'X' })),
      }),
    });
    const order = node.submit('s', limitBuy(2, 90));
    node.amend(order.id, { quantity: px(1) }, 'smaller');
    expect(order.pendingAmend).toBeDefined();
    return new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      expect(order.events.at(-1)).toMatchObject({ type: 'OrderAmendRejected', code: 'ERR_AMEND_REJECTED' });
      expect([order.quantity, order.pendingAmend]).toEqual([px(2), undefined]);
      expect(types(store, order.id).at(-1)).toBe('OrderAmendRejected');
    });
  });

  it('restart between intent and answer: the journal holds the intent, the order keeps its terms, the amend ends unconfirmed', () => {
    const { store, t } = storeIn('amend-restart');
    // A venue that takes the amend and crashes before answering.
    const held: Order[] = [];
    const first = engine(store, {
      client: (v): ExecutionClient => ({
        venue: 'SIM',
        submit: (o) => v.submit(o),
        cancel: (o, r) => v.cancel(o, r),
        amend: (o) => void held.push(o),
      }),
    });
    const order = first.node.submit('s', limitBuy(2, 90));
    first.node.amend(order.id, { price: px(95) }, 'before the crash');
    expect(held).toHaveLength(1);
    expect(order.request.price).toBe(px(90));

    // Restart: a new connection to the same file, the open orders rebuilt from the journal.
    const reopened = new OrderStore(t.open());
    const [restored] = reopened.loadOpenOrders();
    if (restored === undefined) throw new Error('the open order was not restored');
    expect([restored.id, restored.request.price, restored.pendingAmend?.price]).toEqual([
      order.id,
      px(90),
      px(95),
    ]);
    const second = engine(reopened, { idsUsed: 1 });
    second.node.oms.adopt(restored);
    second.venue.adopt(restored);
    expect(restored.events.at(-1)).toMatchObject({
      type: 'OrderAmendRejected',
      code: 'ERR_AMEND_UNCONFIRMED',
    });
    expect([restored.request.price, restored.pendingAmend]).toEqual([px(90), undefined]);
    expect(types(reopened, order.id).slice(-2)).toEqual(['OrderAmendRequested', 'OrderAmendRejected']);
    // The order still works on its journaled terms, and can be amended again.
    second.node.amend(restored.id, { price: px(97) }, 'after the restart');
    expect(restored.request.price).toBe(px(97));
    second.feed(bar(1, 100, 100, 96.5, 99));
    expect([restored.status, restored.avgPx]).toEqual(['FILLED', px(97)]);
  });
});
