import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStrategyStateStore } from '../../src/storage/sqlite/SqliteStrategyStateStore.js';
import { tempDb } from './tempDb.js';

const t = tempDb('state');
afterEach(() => t.remove());

describe('SqliteStrategyStateStore', () => {
  it('what a strategy stored survives a reopen; each strategy sees only its own keys', () => {
    const db = t.open();
    const a = new SqliteStrategyStateStore(db, 'grid-1');
    const b = new SqliteStrategyStateStore(db, 'grid-2');
    a.set('levels', [1.5, 2.5, { price: 3, filled: true }]);
    a.set('lastSignal', 'BUY');
    a.set('temp', 1);
    a.delete('temp');
    b.set('lastSignal', 'SELL');
    db.close(); // no flush call: every write is already committed

    const again = t.open();
    const a2 = new SqliteStrategyStateStore(again, 'grid-1');
    expect(a2.get('levels')).toEqual([1.5, 2.5, { price: 3, filled: true }]);
    expect(a2.get('lastSignal')).toBe('BUY');
    expect(a2.get('temp')).toBeUndefined();
    expect(new SqliteStrategyStateStore(again, 'grid-2').snapshot()).toEqual({ lastSignal: 'SELL' });
    a2.clear();
    expect(new SqliteStrategyStateStore(again, 'grid-1').snapshot()).toEqual({});
  });

  it('a value read cannot be changed behind the store, and a non-JSON value is refused before writing', () => {
    const s = new SqliteStrategyStateStore(t.open(), 's');
    s.set('cfg', { n: 1 });
    const got = s.get<{ n: number }>('cfg');
    if (got) got.n = 99;
    expect(s.get('cfg')).toEqual({ n: 1 });
    expect(() => s.set('f', () => 1)).toThrow(/not JSON-serializable/);
    expect(() => s.set('big', 1n)).toThrow();
    expect(s.snapshot()).toEqual({ cfg: { n: 1 } });
  });
});
