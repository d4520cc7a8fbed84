/**
 * Migration 10: a liquidation's fill line (order id LIQUIDATION, no order in the journal) can
 * be stored; every other fill still needs its order; fills written before the upgrade keep
 * their rowids, which ledger snapshots count (fills_upto).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { toFixed } from '../../src/core/Fixed.js';
import type { OrderEvent } from '../../src/model/events.js';
import { Order } from '../../src/model/Order.js';
import type { FillRecord } from '../../src/storage/sqlite/FillStore.js';
import { FillStore } from '../../src/storage/sqlite/FillStore.js';
import { MIGRATIONS } from '../../src/storage/sqlite/migrations.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import type { SqliteDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { OrderStore } from '../../src/storage/sqlite/OrderStore.js';
import { tempDb } from './tempDb.js';

const t = tempDb('liq-fills');
afterEach(() => t.remove());

function knownOrder(db: SqliteDatabase, id: string): void {
  const request = {
    symbol: 'XRP/USDT:USDT',
    side: 'BUY' as const,
    type: 'MARKET' as const,
    quantity: toFixed(1000),
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
    symbol: request.symbol,
    ts: 0,
    request,
  };
  o.apply(init);
  new OrderStore(db).journal(o, init);
}

const fill = (orderId: string, tradeId: string, ts: number, side: 'BUY' | 'SELL' = 'BUY'): FillRecord => ({
  orderId,
  tradeId,
  strategyId: 'strat',
  symbol: 'XRP/USDT:USDT',
  side,
  qty: toFixed(1000),
  px: toFixed('1.2'),
  fee: toFixed('0.6'),
  feeCurrency: 'USDT',
  liquidity: 'TAKER',
  ts,
});

const rowids = (db: SqliteDatabase): unknown[] =>
  db.prepare('SELECT rowid, order_id, trade_id FROM fills ORDER BY rowid').all();

describe('fills: liquidation lines (migration 10)', () => {
  it('keeps the fills of a version-9 file with their rowids, stores a LIQUIDATION line, still refuses an unknown order', () => {
    const old = openDatabase(t.path, { migrations: MIGRATIONS.slice(0, 9) });
    knownOrder(old, 'O1');
    knownOrder(old, 'O2');
    const before = new FillStore(old);
    before.record(fill('O1', 'T1', 1));
    before.record(fill('O2', 'T2', 2));
    // A gap in the rowids, as a deleted row would leave: kept as it is, not renumbered.
    old.prepare('UPDATE fills SET rowid = 7 WHERE trade_id = ?').run('T2');
    expect(() => before.record(fill('LIQUIDATION', 'LIQ-1', 3, 'SELL'))).toThrow(/FOREIGN KEY/);
    const kept = rowids(old);
    old.close();

    const db = t.open();
    expect(rowids(db)).toEqual(kept);
    const fills = new FillStore(db);
    expect(fills.record(fill('LIQUIDATION', 'LIQ-XRP-3', 3, 'SELL'))).toBe(true);
    // Replayed (the same line again): ignored, as any fill.
    expect(fills.record(fill('LIQUIDATION', 'LIQ-XRP-3', 3, 'SELL'))).toBe(false);
    expect(fills.list({ orderId: 'LIQUIDATION' }).map((f) => f.tradeId)).toEqual(['LIQ-XRP-3']);
    // Booked after the older ones: a snapshot's fills_upto still tells what came later.
    expect(fills.bookedAfter(7).map((f) => f.tradeId)).toEqual(['LIQ-XRP-3']);
    expect(() => fills.record(fill('ghost', 'T9', 4))).toThrow(/FOREIGN KEY/);
    expect(fills.record(fill('O1', 'T3', 5))).toBe(true);
  });
});
