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
 * Brings the file up to the last migration. The pending migrations run in one IMMEDIATE
 * transaction together with their `schema_migrations` rows, so a failure leaves the file at the
 * version it had with nothing applied, and two processes opening the same file at once apply
 * each step exactly once (the second waits, then sees the rows). Calling it again is a no-op.
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
  // Every pending step in one IMMEDIATE transaction: a step that fails rolls the earlier ones
  // back too, so the file stays at the version it had — the one the previous build, still
  // installed beside it or restored, opens — never at a middle version no build runs on.
  const upgrade = db.transaction((): number[] => {
    const rows = appliedRows.all();
    checkHistory(rows, migrations, latest);
    const done = new Set(rows.map((r) => r.version));
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      try {
        db.exec(m.sql);
      } catch (e) {
        throw new QtsError(
          StorageErrorCode.Migration,
          `migration ${m.version} (${m.name}) failed: ${e instanceof Error ? e.message : String(e)}; ` +
            `the file is left at version ${rows.at(-1)?.version ?? 0}, as it was`,
          { version: m.version, cause: e },
        );
      }
      record.run(m.version, m.name);
      db.pragma(`user_version = ${m.version}`);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      applied.push(m.version);
    }
    return applied;
  });
  let applied: number[];
  try {
    applied = upgrade.immediate();
  } catch (e) {
    if (e instanceof QtsError) throw e;
    // The transaction itself (BEGIN or COMMIT: a lock held too long, a full disk).
    throw new QtsError(
      StorageErrorCode.Migration,
      `migrating the schema failed: ${e instanceof Error ? e.message : String(e)}; nothing was applied`,
      { cause: e },
    );
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
