import type Database from 'better-sqlite3';
import { QtsError } from '../../core/QtsError.js';
import { StorageErrorCode } from '../StorageErrorCode.js';
import type { Migration } from './migrations.js';
import { MIGRATIONS } from './migrations.js';

/** What `migrate` did. */
export interface MigrationResult {
  /** Versions applied by this call (empty when the file was already current). */
  readonly applied: number[];
  /** Schema version of the file afterwards. */
  readonly version: number;
}

/**
 * Written into the SQLite header (`PRAGMA application_id`, "QTS1") so a file of ours is told
 * apart from another program's database before anything is migrated into it.
 */
export const APPLICATION_ID = 0x51545331;

const BOOTSTRAP = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
) STRICT`;

interface AppliedRow {
  version: number;
  name: string;
}

/**
 * Brings the file up to the last migration. Each migration runs in its own IMMEDIATE
 * transaction together with its `schema_migrations` row, so a failure leaves the file at the
 * previous version with nothing half-applied, and two processes opening the same file at once
 * apply each step exactly once (the second sees the row and skips). Calling it again is a no-op.
 *
 * Refuses (ERR_DB_MIGRATION) a file whose history has a version this build does not know — a
 * newer build wrote it, and an older one must not write tables it does not understand — or a
 * version recorded under another name.
 */
export function migrate(
  db: Database.Database,
  migrations: readonly Migration[] = MIGRATIONS,
): MigrationResult {
  checkSequence(migrations);
  const latest = migrations.length;
  db.exec(BOOTSTRAP);
  const appliedRows = db.prepare<[], AppliedRow>(
    'SELECT version, name FROM schema_migrations ORDER BY version',
  );
  const record = db.prepare<[number, string]>(
    `INSERT INTO schema_migrations (version, name, applied_at)
     VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`,
  );
  const applied: number[] = [];
  for (const m of migrations) {
    const step = db.transaction(() => {
      const rows = appliedRows.all();
      checkHistory(rows, migrations, latest);
      if (rows.some((r) => r.version === m.version)) return false;
      db.exec(m.sql);
      record.run(m.version, m.name);
      db.pragma(`user_version = ${m.version}`);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      return true;
    });
    try {
      if (step.immediate()) applied.push(m.version);
    } catch (e) {
      if (e instanceof QtsError) throw e;
      throw new QtsError(
        StorageErrorCode.Migration,
        `migration ${m.version} (${m.name}) failed: ${e instanceof Error ? e.message : String(e)}`,
        { version: m.version, cause: e },
      );
    }
  }
  checkHistory(appliedRows.all(), migrations, latest);
  return { applied, version: latest };
}

/** Highest migration version recorded in the file (0 for a fresh file). */
export function schemaVersion(db: Database.Database): number {
  const exists = db
    .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  if (exists === undefined) return 0;
  const row = db.prepare<[], { v: number | null }>('SELECT max(version) AS v FROM schema_migrations').get();
  return row?.v ?? 0;
}

function checkHistory(rows: readonly AppliedRow[], migrations: readonly Migration[], latest: number): void {
  for (const row of rows) {
    if (row.version > latest) {
      throw new QtsError(
        StorageErrorCode.Migration,
        `database schema is version ${Math.max(...rows.map((r) => r.version))}, newer than this build knows (${latest}): ` +
          'it was written by a newer qts; upgrade qts or open a backup made before the upgrade',
        { found: row.version, known: latest },
      );
    }
    const known = migrations[row.version - 1];
    if (known?.name !== row.name) {
      throw new QtsError(
        StorageErrorCode.Migration,
        `migration ${row.version} is recorded as "${row.name}" but this build calls it "${known?.name ?? '?'}": ` +
          'the file comes from a diverging build',
        { version: row.version, recorded: row.name, expected: known?.name },
      );
    }
  }
}

/** A broken migration list is a programming error: crash loudly before touching the file. */
function checkSequence(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`migrations must be numbered 1, 2, 3… in order; #${i} has version ${m.version}`);
    }
  });
}
