import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { QtsError } from '../../core/QtsError.js';
import { StorageErrorCode } from '../StorageErrorCode.js';
import { holdFileLock } from './holdFileLock.js';

/**
 * One trading engine per database. A second engine started by mistake on the same file would
 * mark the running engine's run INTERRUPTED, deny its unsent orders and write its own ledger
 * snapshots beside the first one's, before failing on the API port or trading twice. The lock is
 * an exclusive transaction held open on a sibling file (`<db>.engine-lock`): SQLite's file lock,
 * which the operating system releases when the process dies, so a crashed engine never leaves
 * a stale lock behind (a pid file would, and a container restarts with the same pid). Readers
 * (api mode, `qts kill`/`qts resume`, backups) do not take it. Take it before opening the
 * database: opening migrates the schema. Returns the release; ERR_DB_OPEN when the lock file
 * cannot be created (read-only folder).
 */
export function lockEngineDatabase(dbPath: string): () => void {
  if (dbPath === ':memory:') return () => undefined;
  const path = engineLockPath(dbPath);
  let release: (() => void) | undefined;
  try {
    // Taken before the database is opened (which creates the folder): the folder comes first.
    mkdirSync(dirname(dbPath), { recursive: true });
    release = holdFileLock(path);
  } catch (e) {
    throw new QtsError(
      StorageErrorCode.Open,
      `cannot take the engine lock ${path}: ${e instanceof Error ? e.message : String(e)}`,
      { path: dbPath, cause: e },
    );
  }
  if (release === undefined)
    throw new QtsError(
      StorageErrorCode.Locked,
      `the database ${dbPath} is in use by another running engine (lock ${path}); stop it first, or give this one its own storage.dbPath (DB_PATH)`,
      { path: dbPath },
    );
  return release;
}

/** The engine lock's file beside the database `dbPath` (exists once an engine has run on it). */
export function engineLockPath(dbPath: string): string {
  return `${dbPath}.engine-lock`;
}

/**
 * For a process that is not the engine and must not act under a running one (a schema upgrade,
 * a restore): the engine lock of `dbPath` held, its release returned; a no-op release when no
 * engine ever ran on the file (its lock file appears with the first one); undefined while an
 * engine runs on it.
 */
export function holdEngineLockIfIdle(dbPath: string): (() => void) | undefined {
  const path = engineLockPath(dbPath);
  return existsSync(path) ? holdFileLock(path) : () => undefined;
}
