import { afterEach, describe, expect, it } from 'vitest';
import type { Migration } from '../../src/storage/sqlite/migrations.js';
import { MIGRATIONS } from '../../src/storage/sqlite/migrations.js';
import { schemaVersion } from '../../src/storage/sqlite/migrate.js';
import type { SqliteDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { OrderStore } from '../../src/storage/sqlite/OrderStore.js';
import { writeForever } from './fixtures/crashJournal.js';
import { tempDb } from './tempDb.js';

const t = tempDb('upgrade');
const source = tempDb('upgrade-source');
afterEach(() => {
  t.remove();
  source.remove();
});

const V1 = MIGRATIONS.slice(0, 1);
/** The journal tables as migration 1 created them (the columns later steps added left out). */
const V1_COPY = `
INSERT INTO runs SELECT id, mode, status, started_at, stopped_at, config, error FROM src.runs;
INSERT INTO orders SELECT id, strategy_id, symbol, side, type, request, status, filled_qty, filled_notional,
  fees_paid, venue_order_id, reason_code, reason, event_count, created_at, updated_at FROM src.orders;
INSERT INTO order_events SELECT * FROM src.order_events;
INSERT INTO fills (rowid, order_id, trade_id, strategy_id, symbol, side, qty, px, fee, fee_currency, liquidity, ts)
  SELECT rowid, order_id, trade_id, strategy_id, symbol, side, qty, px, fee, fee_currency, liquidity, ts FROM src.fills;
INSERT INTO ledger_snapshots SELECT id, run_id, ts FROM src.ledger_snapshots;
INSERT INTO ledger_balances SELECT * FROM src.ledger_balances;
INSERT INTO ledger_positions SELECT snapshot_id, symbol, qty, cost_basis, realized_pnl FROM src.ledger_positions;
`;

/** A trading.db as the first release left it, holding a real journal (orders, fills, snapshots). */
function firstReleaseFile(): SqliteDatabase {
  const src = source.open();
  writeForever(src, 5);
  src.pragma('wal_checkpoint(TRUNCATE)');
  const old = openDatabase(t.path, { migrations: V1 });
  old.prepare('ATTACH DATABASE ? AS src').run(source.path);
  old.exec(V1_COPY);
  old.exec('DETACH DATABASE src');
  old.close();
  return src;
}

const dump = (db: SqliteDatabase, table: string) =>
  db.prepare(`SELECT rowid AS rid, * FROM ${table} ORDER BY rowid`).raw().all();

describe('a database of the first release', () => {
  it('is migrated to the current schema once, with every order, event and fill as it was', () => {
    const src = firstReleaseFile();
    const db = openDatabase(t.path);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(db.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(MIGRATIONS.length);
    // The fills table was rebuilt (migration 10): same rows, same rowids (snapshots count them).
    expect(dump(db, 'fills')).toEqual(dump(src, 'fills'));
    expect(dump(db, 'order_events')).toEqual(dump(src, 'order_events'));
    const before = new OrderStore(src);
    const after = new OrderStore(db);
    const ids = db.prepare<[], string>('SELECT id FROM orders ORDER BY rowid').pluck().all();
    expect(ids.length).toBeGreaterThan(10);
    for (const id of ids) expect(after.load(id)?.events).toEqual(before.load(id)?.events);
    expect(after.loadOpenOrders().map((o) => o.id)).toEqual(before.loadOpenOrders().map((o) => o.id));
    // The rule migration 10 moved into a trigger still holds for old orders and new fills.
    expect(() =>
      db
        .prepare(
          "INSERT INTO fills VALUES ('nope', 'T', 's', 'BTC/USDT', 'BUY', '1', '1', '0', 'USDT', 'MAKER', 1)",
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
    db.close();
    // Opening again applies nothing.
    const again = openDatabase(t.path);
    expect(again.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(MIGRATIONS.length);
    again.close();
  });

  it('a migration failing halfway leaves the file at the first release, which still opens it', () => {
    firstReleaseFile();
    const broken: Migration[] = [
      ...MIGRATIONS,
      {
        version: MIGRATIONS.length + 1,
        name: 'broken',
        sql: 'CREATE TABLE half (x INTEGER); CREATE TABLE oops (',
      },
    ];
    expect(() => openDatabase(t.path, { migrations: broken })).toThrow(
      expect.objectContaining({ code: 'ERR_DB_MIGRATION' }) as unknown,
    );
    // Not left at a middle version no build runs on: the previous build opens its file as it was.
    const old = openDatabase(t.path, { migrations: V1 });
    expect(schemaVersion(old)).toBe(1);
    expect(
      old
        .prepare("SELECT count(*) FROM sqlite_schema WHERE name IN ('engine_commands', 'half')")
        .pluck()
        .get(),
    ).toBe(0);
    expect(old.prepare('SELECT count(*) FROM fills').pluck().get()).toBeGreaterThan(0);
    old.close();
  });
});
