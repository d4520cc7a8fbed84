import Database from 'better-sqlite3';

/** The locks this process holds (see holdFileLock). */
const HELD = new Set<Database.Database>();

/**
 * An exclusive lock on `path` that the operating system releases when the process dies: an
 * exclusive SQLite transaction held open on a file that never stores anything. A crashed
 * holder never leaves a stale lock behind, whatever pid the next process gets (a container
 * restarts with the same one). `waitMs`: how long to wait for a lock another process may be
 * taking at that very moment. Returns the release (calling it again does nothing), or
 * undefined when another process holds the lock; other SQLite errors (a damaged file) throw.
 */
export function holdFileLock(path: string, waitMs = 0): (() => void) | undefined {
  const lock = new Database(path, { timeout: waitMs });
  try {
    lock.exec('BEGIN EXCLUSIVE');
  } catch (e) {
    lock.close();
    if ((e as { code?: unknown }).code === 'SQLITE_BUSY') return undefined;
    throw e;
  }
  // Held here, not only by the release: a connection nobody references is closed when it is
  // collected, and the lock would go with it.
  HELD.add(lock);
  return () => {
    HELD.delete(lock);
    if (lock.open) lock.close();
  };
}
