import Database from 'better-sqlite3';
import { QtsError } from '../../core/QtsError.js';
import { StorageErrorCode } from '../StorageErrorCode.js';

/** The engine locks this process holds (see lockEngineDatabase). */
const HELD = new Set<Database.Database>();

/**
 * One trading engine per database. A second engine started by mistake on the same file would
 * mark the running engine's run INTERRUPTED, deny its unsent orders and write its own ledger
 * snapshots beside the first one's, before failing on the API port or trading twice. The lock is
 * an exclusive transaction held open on a sibling file (`<db>.engine-lock`): SQLite's file lock,
 * which the operating system releases when the process dies, so a crashed engine never leaves
 * a stale lock behind (a pid file would, and a container restarts with the same pid). Readers
 * (api mode, `qts kill`/`qts resume`, backups) do not take it. Returns the release.
 */
export function lockEngineDatabase(dbPath: string): () => void {
  if (dbPath === ':memory:') return () => undefined;
  const path = `${dbPath}.engine-lock`;
  const lock = new Database(path, { timeout: 0 });
  try {
    lock.exec('BEGIN EXCLUSIVE');
  } catch (e) {
    lock.close();
    if ((e as { code?: unknown }).code !== 'SQLITE_BUSY') throw e;
    throw new QtsError(
      StorageErrorCode.Locked,
      `the database ${dbPath} is in use by another running engine (lock ${path}); stop it first, or give this one its own storage.dbPath (DB_PATH)`,
      { path: dbPath },
    );
  }
  // Held here, not only by the release: a connection nobody references is closed when it is
  // collected, and the lock would go with it.
  HELD.add(lock);
  return () => {
    HELD.delete(lock);
    if (lock.open) lock.close();
  };
}
