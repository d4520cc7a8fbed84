import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { SimVenueStore } from '../../src/storage/sqlite/SimVenueStore.js';
import { tempDb } from './tempDb.js';

let t: ReturnType<typeof tempDb>;
beforeEach(() => {
  t = tempDb('simvenue');
});
afterEach(() => t.remove());

/** An orders row as the journal writes it; only the request's parentId matters here. */
function order(db: SqliteDatabase, id: string, createdAt: number, parentId?: string): void {
  const request = JSON.stringify({ symbol: 'BTC/USDT', side: 'SELL', type: 'LIMIT', parentId });
  db.prepare(
    `INSERT INTO orders (id, strategy_id, symbol, side, type, request, status, filled_qty, filled_notional,
       fees_paid, event_count, created_at, updated_at)
     VALUES (?, 's', 'BTC/USDT', 'SELL', 'LIMIT', ?, 'ACCEPTED', '0', '0', '0', 1, ?, ?)`,
  ).run(id, request, createdAt, createdAt);
}

describe('SimVenueStore', () => {
  it('finds the children of a bracket entry in the journal, oldest first, through the orders_parent index', () => {
    const db = t.open();
    order(db, 'P', 1);
    order(db, 'B', 3, 'P');
    order(db, 'A', 2, 'P');
    order(db, 'X', 4, 'Q');
    const store = new SimVenueStore(db);
    expect(store.childIds('P')).toEqual(['A', 'B']);
    expect(store.childIds('A')).toEqual([]);
    const plan = db
      .prepare("EXPLAIN QUERY PLAN SELECT id FROM orders WHERE json_extract(request, '$.parentId') = ?")
      .all('P');
    expect(JSON.stringify(plan)).toContain('orders_parent');
  });

  it('keeps each trailing stop’s best price across a reopen, overwritten, and drops those no longer open', () => {
    const first = new SimVenueStore(t.open());
    first.saveTrailingMark('T1', 101.5);
    first.saveTrailingMark('T1', 120.25);
    first.saveTrailingMark('T2', 80);
    const again = new SimVenueStore(t.open());
    expect(again.trailingMark('T1')).toBe(120.25);
    expect(again.trailingMark('T3')).toBeUndefined();
    again.retainTrailingMarks(new Set(['T2']));
    expect(again.trailingMark('T1')).toBeUndefined();
    expect(again.trailingMark('T2')).toBe(80);
  });

  it('forgets the mark of one stop and leaves the others', () => {
    const store = new SimVenueStore(t.open());
    store.saveTrailingMark('T1', 120);
    store.saveTrailingMark('T2', 80);
    store.forgetTrailingMark('T1');
    store.forgetTrailingMark('T9');
    expect(store.trailingMark('T1')).toBeUndefined();
    expect(store.trailingMark('T2')).toBe(80);
  });
});
