import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { holdFileLock } from '../../storage/sqlite/holdFileLock.js';
import { QtsError } from '../../core/QtsError.js';

/** Lock files this process holds, to say "(this one)" when it tries a second time. */
const held = new Set<string>();

/** How long a start waits for a lock another process may be taking at the same moment. */
const LOCK_WAIT_MS = 1_000;

/**
 * One writer per audit folder: two writers would interleave two chains into one file and
 * break both.
 *
 * The lock is an exclusive SQLite transaction held open on `audit.lock.db` (holdFileLock, as
 * `lockEngineDatabase` takes it): a file lock the operating system takes atomically and releases when
 * the process dies. So a crashed writer never leaves a stale lock, a restarted container
 * whose engine has the same pid (pid 1) is not mistaken for its dead predecessor, and two
 * processes starting together against a crashed writer's leftovers cannot both win — which a
 * pid file cannot promise: taking a stale pid file over means deleting it, and the slower
 * process deletes the lock the faster one just created. The lock file is therefore never
 * deleted.
 *
 * `audit.lock` only tells people which pid writes the folder: written once the lock is held,
 * removed before it is released, never consulted to decide who writes. Returns the release
 * (calling it again does nothing).
 */
export function acquireAuditLock(dir: string): () => void {
  const lockPath = resolve(dir, 'audit.lock.db');
  const pidPath = resolve(dir, 'audit.lock');
  // A short wait: two processes starting at once may each be taking the lock at that moment,
  // and without a wait both could give up. A writer that holds the lock holds it for good: the
  // second still fails, late by this wait.
  let release: (() => void) | undefined;
  try {
    release = holdFileLock(lockPath, LOCK_WAIT_MS);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT')
      throw new QtsError(
        'ERR_AUDIT_LOCKED',
        `the audit lock file ${lockPath} is damaged: make sure no engine writes ${dir}, then delete it`,
        { dir },
      );
    throw e;
  }
  if (release === undefined) throw lockedBy(dir, pidPath, lockPath);
  try {
    writeFileSync(pidPath, String(process.pid), { mode: 0o640 });
  } catch (e) {
    release();
    throw e;
  }
  held.add(lockPath);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    held.delete(lockPath);
    // Removed while still holding the lock: the next writer's pid file is never deleted by us.
    rmSync(pidPath, { force: true });
    release();
  };
}

/** ERR_AUDIT_LOCKED naming the writer's pid when `audit.lock` says it (it may not have yet). */
function lockedBy(dir: string, pidPath: string, lockPath: string): QtsError {
  let pid: number | undefined;
  try {
    const n = Number(readFileSync(pidPath, 'utf8').trim());
    if (Number.isSafeInteger(n) && n > 0) pid = n;
  } catch {
    // Not written yet, or just removed: the writer is unnamed, still there.
  }
  const who =
    pid === undefined
      ? 'another process'
      : `process ${pid}${pid === process.pid && held.has(lockPath) ? ' (this one)' : ''}`;
  return new QtsError(
    'ERR_AUDIT_LOCKED',
    `the audit log in ${dir} is already written by ${who}; one writer per folder keeps the chain intact`,
    pid === undefined ? { dir } : { dir, pid },
  );
}
