import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isQtsError } from '../../src/core/QtsError.js';
import type { Migration } from '../../src/storage/sqlite/migrations.js';
import { migrate, schemaVersion } from '../../src/storage/sqlite/migrate.js';
import { MIGRATIONS } from '../../src/storage/sqlite/migrations.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { tempDb } from './tempDb.js';

let t: ReturnType<typeof tempDb>;
beforeEach(() => {
  t = tempDb('open');
});
afterEach(() => t.remove());

function caught(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

/** The current schema version; tests derive from it so a new migration needs no test edits. */
const N = MIGRATIONS.length;

const TABLES = [
  'candles',
  'engine_commands',
  'equity_samples',
  'fills',
  'funding_cursors',
  'funding_payments',
  'ledger_balances',
  'ledger_positions',
  'ledger_snapshots',
  'order_events',
  'order_id_reservations',
  'orders',
  'risk_daily_equity',
  'risk_state',
  'runs',
  'schema_migrations',
  'sim_trailing_marks',
  'strategy_controls',
  'strategy_state',
  'synthetic_market',
];

describe('openDatabase', () => {
  it('creates the folder and file, applies every migration once, and sets the durability pragmas', () => {
    const db = t.open();
    const tables = db
      .prepare<[], string>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual(TABLES);
    expect(db.prepare('SELECT version, name FROM schema_migrations').all()).toEqual(
      MIGRATIONS.map((m) => ({ version: m.version, name: m.name })),
    );
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
  });

  it('is idempotent: migrating again and reopening the file apply nothing and keep the data', () => {
    const db = t.open();
    db.prepare("INSERT INTO strategy_state VALUES ('s', 'k', '1')").run();
    expect(migrate(db)).toEqual({ applied: [], version: N });
    db.close();
    const again = t.open();
    expect(again.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(N);
    expect(again.prepare('SELECT value FROM strategy_state').pluck().get()).toBe('1');
  });

  it('FULL durability on request', () => {
    const db = openDatabase(t.path, { synchronous: 'FULL' });
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    db.close();
  });

  it('applies only the new migrations of a later build, in order', () => {
    t.open().close();
    const later: Migration[] = [
      ...MIGRATIONS,
      { version: N + 1, name: 'notes', sql: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT) STRICT' },
      { version: N + 2, name: 'notes-ts', sql: 'ALTER TABLE notes ADD COLUMN ts REAL' },
    ];
    const db = openDatabase(t.path, { migrations: later });
    expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()).toEqual(
      later.map((m) => m.version),
    );
    expect(migrate(db, later).applied).toEqual([]);
    db.close();
  });

  it('a failing migration leaves nothing half-applied and says which one failed', () => {
    t.open().close();
    const broken: Migration[] = [
      ...MIGRATIONS,
      { version: N + 1, name: 'broken', sql: 'CREATE TABLE half (x INTEGER); CREATE TABLE oops (' },
    ];
    const e = caught(() => openDatabase(t.path, { migrations: broken }));
    expect(isQtsError(e, 'ERR_DB_MIGRATION')).toBe(true);
    expect((e as Error).message).toContain(`migration ${N + 1} (broken) failed`);
    const db = t.open();
    expect(schemaVersion(db)).toBe(N);
    expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'half'").pluck().get()).toBe(0);
  });

  it('refuses a file written by a newer schema with ERR_DB_MIGRATION, and changes nothing', () => {
    const db = t.open();
    db.prepare("INSERT INTO schema_migrations VALUES (?, 'from-the-future', '2030-01-01')").run(N + 1);
    db.close();
    const e = caught(() => openDatabase(t.path));
    expect(isQtsError(e, 'ERR_DB_MIGRATION')).toBe(true);
    expect((e as Error).message).toContain(`version ${N + 1}, newer than this build knows (${N})`);
  });

  it('refuses a history that diverges from this build', () => {
    const db = t.open();
    db.prepare("UPDATE schema_migrations SET name = 'other'").run();
    db.close();
    expect(
      isQtsError(
        caught(() => openDatabase(t.path)),
        'ERR_DB_MIGRATION',
      ),
    ).toBe(true);
  });

  it('a file that is not a database is ERR_DB_OPEN naming the file', () => {
    const path = join(t.dir, 'notes.db');
    writeFileSync(path, 'these are my notes, not a database\n'.repeat(20));
    const e = caught(() => openDatabase(path));
    expect(isQtsError(e, 'ERR_DB_OPEN')).toBe(true);
    expect((e as Error).message).toBe(`${path}: not a SQLite database (or an encrypted/damaged one)`);
  });

  it("another application's SQLite file is ERR_DB_OPEN, and no table is added to it", () => {
    const path = join(t.dir, 'other.db');
    const other = new Database(path);
    other.exec('CREATE TABLE contacts (name TEXT)');
    other.close();
    expect(
      isQtsError(
        caught(() => openDatabase(path)),
        'ERR_DB_OPEN',
      ),
    ).toBe(true);
    const check = new Database(path);
    expect(check.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all()).toEqual([
      'contacts',
    ]);
    check.close();
  });

  it('mustExist: a missing file is ERR_DB_OPEN, not a new empty database', () => {
    const path = join(t.dir, 'missing', 'trading.db');
    expect(
      isQtsError(
        caught(() => openDatabase(path, { mustExist: true })),
        'ERR_DB_OPEN',
      ),
    ).toBe(true);
  });

  it('two connections opening the same fresh file both end up on the current schema', () => {
    const a = t.open();
    const b = t.open();
    expect(schemaVersion(a)).toBe(N);
    expect(schemaVersion(b)).toBe(N);
    expect(b.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(N);
  });
});
