/**
 * The embedded system of record: one SQLite file per engine (default `data/trading.db`).
 *
 * Durability choices:
 * - WAL journal: readers (the API, a backup) never block the writer and the writer never
 *   blocks them; one transaction per order event costs tens of microseconds, not an fsync
 *   of the whole file.
 * - `synchronous = NORMAL` (default): a commit survives a crash of the process (the WAL is in
 *   the OS page cache), and the file can never be corrupted; a power loss or kernel panic can
 *   roll back the last transactions committed since the previous WAL sync. For orders this
 *   means the newest journaled events may be missing after a power cut: the live engine's
 *   startup reconciliation with the exchange (query by client order id) repairs exactly that,
 *   which is why this is the default. `synchronous: 'FULL'` fsyncs the WAL on every commit:
 *   nothing committed is ever lost, at the cost of one fsync per order event (milliseconds on
 *   ordinary disks). Choose FULL when reconciliation cannot recover what was lost (e.g. a
 *   venue that cannot be queried by client order id).
 * - `foreign_keys = ON`: an event or fill for an unknown order is refused, not stored orphaned.
 * - `busy_timeout`: a second connection (API, backup, CLI) waits for a lock instead of failing
 *   at once; every store writes in IMMEDIATE transactions so a lock upgrade cannot deadlock.
 * - `journal_size_limit`: after a checkpoint the WAL file is truncated back to 64 MiB, so a
 *   burst (a 1M-candle import) does not leave a huge file behind for ever.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { QtsError } from '../../core/QtsError.js';
import { StorageErrorCode } from '../StorageErrorCode.js';
import type { Migration } from './migrations.js';
import { APPLICATION_ID, migrate } from './migrate.js';
import { migrateBesideEngine } from './migrateBesideEngine.js';
import { MIGRATIONS } from './migrations.js';

/** A connection to trading.db, as better-sqlite3 gives it (synchronous API). */
export type SqliteDatabase = Database.Database;

/** Options of openDatabase. */
export interface OpenDatabaseOptions {
  /** NORMAL (default) or FULL; see the module comment for what each risks on power loss. */
  readonly synchronous?: 'NORMAL' | 'FULL';
  /** How long to wait for another connection's lock before SQLITE_BUSY (default 5000 ms). */
  readonly busyTimeoutMs?: number;
  /** Fail with ERR_DB_OPEN instead of creating the file (and its folder) when it is missing. */
  readonly mustExist?: boolean;
  /** Schema history to apply; tests pass their own, everything else uses the default. */
  readonly migrations?: readonly Migration[];
  /**
   * The caller holds the engine lock (lockEngineDatabase): it is the engine and may upgrade
   * the schema. Anyone else upgrades it only while no engine runs (migrateBesideEngine).
   */
  readonly engineLocked?: boolean;
  /**
   * Read every page first (`PRAGMA quick_check`) and refuse a damaged file with ERR_DB_CORRUPT.
   * The engine's start asks for it: a damaged page otherwise surfaces only when a query reaches
   * it, in the middle of a restore or of trading. Costs one read of the file (about a second
   * per few hundred MB).
   */
  readonly check?: boolean;
}

const JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;

/**
 * Opens (creating when needed) the database at `path`, sets the pragmas above and brings
 * the schema up to date. Throws ERR_DB_OPEN when the file is missing (with `mustExist`), is
 * not a SQLite database, or belongs to another application; ERR_DB_MIGRATION when a
 * migration fails or the file was written by a newer schema; ERR_DB_LOCKED when the schema
 * needs an upgrade and an engine (not the caller) is running on the file. `':memory:'` works for tests.
 */
export function openDatabase(path: string, opts: OpenDatabaseOptions = {}): SqliteDatabase {
  const memory = path === ':memory:';
  let db: SqliteDatabase | undefined;
  try {
    if (opts.mustExist !== true && !memory) mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, { fileMustExist: opts.mustExist === true, timeout: opts.busyTimeoutMs ?? 5000 });
    // The first statement is what reads the header: a non-database file fails here.
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal' && !memory) {
      throw new QtsError(
        StorageErrorCode.Open,
        `${path}: cannot switch to WAL journal (got ${String(mode)})`,
      );
    }
    db.pragma(`synchronous = ${opts.synchronous ?? 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
    checkOwnership(db, path);
    if (opts.check === true) checkPages(db, path);
  } catch (e) {
    db?.close();
    throw openError(path, e);
  }
  try {
    const migrations = opts.migrations ?? MIGRATIONS;
    if (opts.engineLocked === true || memory) migrate(db, migrations);
    else migrateBesideEngine(db, path, migrations);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

/** Refuses another program's SQLite file before a single table is created in it. */
function checkOwnership(db: SqliteDatabase, path: string): void {
  const appId = db.pragma('application_id', { simple: true }) as number;
  if (appId === APPLICATION_ID) return;
  if (appId !== 0) {
    throw new QtsError(
      StorageErrorCode.Open,
      `${path}: a SQLite database of another application (application_id ${appId}), not a qts database`,
      { file: path },
    );
  }
  const tables = db
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' LIMIT 5",
    )
    .all()
    .map((r) => r.name);
  if (tables.length > 0 && !tables.includes('schema_migrations')) {
    throw new QtsError(
      StorageErrorCode.Open,
      `${path}: a SQLite database with tables of its own (${tables.join(', ')}), not a qts database`,
      { file: path },
    );
  }
}

/** A damaged file is refused before anything reads a wrong row from it or writes into it. */
function checkPages(db: SqliteDatabase, path: string): void {
  const problems = db.pragma('quick_check(5)', { simple: false }) as { quick_check: string }[];
  const found = problems.map((p) => p.quick_check).filter((p) => p !== 'ok');
  if (found.length === 0) return;
  throw new QtsError(
    StorageErrorCode.Corrupt,
    `${path}: the database file is damaged (${found.join('; ')}): ` +
      'restore the last backup (qts db backup) and let startup reconciliation catch up',
    { file: path, problems: found },
  );
}

function openError(path: string, e: unknown): QtsError {
  if (e instanceof QtsError) return e;
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : String(e);
  if (code === 'SQLITE_CORRUPT')
    return new QtsError(StorageErrorCode.Corrupt, `${path}: the database file is damaged (${message})`, {
      file: path,
      sqlite: code,
      cause: e,
    });
  const why =
    code === 'SQLITE_NOTADB'
      ? 'not a SQLite database (or an encrypted/damaged one)'
      : code === 'SQLITE_CANTOPEN'
        ? 'cannot open the file (missing, or no permission)'
        : message;
  return new QtsError(StorageErrorCode.Open, `${path}: ${why}`, { file: path, sqlite: code, cause: e });
}
