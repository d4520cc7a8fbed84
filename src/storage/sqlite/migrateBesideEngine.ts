import type Database from 'better-sqlite3';
import { QtsError } from '../../core/QtsError.js';
import { StorageErrorCode } from '../StorageErrorCode.js';
import { holdEngineLockIfIdle } from './lockEngineDatabase.js';
import type { MigrationResult } from './migrate.js';
import { migrate, schemaVersion } from './migrate.js';
import type { Migration } from './migrations.js';

/**
 * Brings the schema up to date for a process that is not the engine (api mode, `qts kill`,
 * `qts data`, a download), unless an engine is running on the file: a newer build's API or CLI
 * must not change the schema under a running older engine, whose next write would then meet
 * tables it does not know. Such a file is refused with ERR_DB_LOCKED, saying to run the
 * engine's own build or to stop the engine first; a current file opens as usual beside a
 * running engine (readers never take its lock). The engine's lock file exists once an engine
 * has run on the file; without it none is running. The lock is only tried, never kept.
 */
export function migrateBesideEngine(
  db: Database.Database,
  path: string,
  migrations: readonly Migration[],
): MigrationResult {
  const found = schemaVersion(db);
  if (found >= migrations.length) return migrate(db, migrations);
  const release = holdEngineLockIfIdle(path);
  if (release === undefined)
    throw new QtsError(
      StorageErrorCode.Locked,
      `${path}: the schema is version ${found}, this qts needs ${migrations.length}, and an engine is ` +
        'running on the file: run this command with the running engine’s own qts, or stop the engine ' +
        'and start the new build’s engine first (it upgrades the file)',
      { path, found, needed: migrations.length },
    );
  try {
    return migrate(db, migrations);
  } finally {
    release();
  }
}
