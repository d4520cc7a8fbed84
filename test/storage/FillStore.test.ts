import { afterEach, describe, expect, it } from 'vitest';
import { realizedPnl } from '../../src/api/engine/realizedPnl.js';
import { formatFixed, toFixed } from '../../src/core/Fixed.js';
import type { OrderEvent } from '../../src/model/events.js';
import { Order } from '../../src/model/Order.js';
import type { FillRecord } from '../../src/storage/sqlite/FillStore.js';
import { FillStore } from '../../src/storage/sqlite/FillStore.js';
import { OrderStore } from '../../src/storage/sqlite/OrderStore.js';
import { tempDb } from './tempDb.js';

const t = tempDb('fills');
afterEach(() => t.remove());

/** Journals a bare order so fills have something to belong to. */
function knownOrder(store: OrderStore, id: string, symbol = 'BTC/USDT'): void {
  const request = {
    symbol,
    side: 'BUY' as const,
    type: 'MARKET' as const,
    quantity: toFixed(10),
    timeInForce: 'GTC' as const,
    postOnly: false,
    reduceOnly: false,
  };
  const o = new Order(id, 'strat', request, 0);
  const init: OrderEvent = {
    type: 'OrderInitialized',
    eventId: 'E0',
    orderId: id,
    strategyId: 'strat',
    symbol,
    ts: 0,
    request,
  };
  o.apply(init);
  store.journal(o, init);
}

const fill = (orderId: string, tradeId: string, ts: number, qty = '0.1'): FillRecord => ({
  orderId,
  tradeId,
  strategyId: 'strat',
  symbol: 'BTC/USDT',
  side: 'BUY',
  qty: toFixed(qty),
  px: toFixed('30000.12345678'),
  fee: toFixed('0.00000003'),
  feeCurrency: 'BNB',
  liquidity: 'TAKER',
  ts,
});

describe('FillStore', () => {
  it('ignores a fill already stored (same trade of the same order) and says whether it was new', () => {
    const db = t.open();
    const orders = new OrderStore(db);
    knownOrder(orders, 'O1');
    knownOrder(orders, 'O2');
    const fills = new FillStore(db);
    expect(fills.record(fill('O1', 'T1', 1))).toBe(true);
    // The same trade again (REST after WebSocket, or replayed at reconciliation): ignored, even with other values.
    expect(fills.record(fill('O1', 'T1', 2, '5'))).toBe(false);
    // Trade ids are unique per order, not across orders.
    expect(fills.record(fill('O2', 'T1', 3))).toBe(true);
    expect(fills.has('O1', 'T1')).toBe(true);
    expect(fills.has('O1', 'T9')).toBe(false);
    expect(fills.forOrder('O1')).toEqual([fill('O1', 'T1', 1)]);
    expect(fills.list().map((f) => [f.orderId, f.tradeId])).toEqual([
      ['O2', 'T1'],
      ['O1', 'T1'],
    ]);
    expect(fills.list({ orderId: 'O2' })).toHaveLength(1);
    expect(fills.list({ from: 2, to: 10 }).map((f) => f.orderId)).toEqual(['O2']);
    expect(fills.list({ symbol: 'ETH/USDT' })).toEqual([]);
  });

  it('gives the history in booking order, as the ledger folded it, even when a later fill has an earlier ts', () => {
    const db = t.open();
    const orders = new OrderStore(db);
    for (const id of ['O1', 'O2', 'O3']) knownOrder(orders, id);
    const fills = new FillStore(db);
    const at = (orderId: string, side: 'BUY' | 'SELL', px: string, ts: number): FillRecord => ({
      ...fill(orderId, 'T1', ts, '1'),
      side,
      px: toFixed(px),
      fee: toFixed(0),
      feeCurrency: 'USDT',
    });
    // A round trip, then a restart whose market clock starts over (a replayed or synthetic
    // market): the next buy is booked last but carries the earliest ts.
    fills.record(at('O1', 'BUY', '100', 5_000));
    fills.record(at('O2', 'SELL', '110', 6_000));
    fills.record(at('O3', 'BUY', '90', 1_000));
    expect([...fills.history()].map((f) => f.orderId)).toEqual(['O1', 'O2', 'O3']);
    // The ledger booked +10 and holds 1 at 90; folding by ts would average 90 and 100 first (+15).
    expect(formatFixed(realizedPnl(fills.history(), 'USDT').realized)).toBe('10');
  });

  it('refuses a fill of an order the journal does not know (foreign key)', () => {
    const fills = new FillStore(t.open());
    expect(() => fills.record(fill('ghost', 'T1', 1))).toThrow(/FOREIGN KEY/);
  });
});
