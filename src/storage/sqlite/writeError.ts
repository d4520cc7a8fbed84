import { QtsError } from '../../core/QtsError.js';
import { StorageErrorCode } from '../StorageErrorCode.js';

/**
 * A write SQLite refused (SQLITE_FULL, SQLITE_READONLY, SQLITE_IOERR…) as ERR_DB_WRITE, the
 * SQLite code kept: the operator sees "the disk is full" under one code whatever the store.
 * Errors of our own (a QtsError: a journal out of order) and constraint violations pass through.
 */
export function writeError(e: unknown, what: string): unknown {
  if (!(e instanceof Error) || e instanceof QtsError) return e;
  const sqlite = (e as { code?: unknown }).code;
  // A constraint is the caller's mistake (an event written twice), not the disk's: as it is.
  if (typeof sqlite === 'string' && sqlite.startsWith('SQLITE_CONSTRAINT')) return e;
  return new QtsError(
    StorageErrorCode.Write,
    `${what}: ${e.message} (${String(sqlite)}); nothing of it was written`,
    {
      sqlite,
      cause: e,
    },
  );
}

/**
 * `write` (a statement's bound `run`, a transaction's `immediate`) made to fail as ERR_DB_WRITE
 * (`writeError`): every store writes through this, so a full or read-only disk is one engine
 * fault whichever table it hit — the risk engine halts on it — and never a bare SqliteError a
 * strategy's handler would be blamed for. `what` names the write for the operator; it is built
 * only when the write failed, so a write that succeeds pays one extra call (tens of nanoseconds
 * against the microseconds of the SQLite write). Backtests write through no store.
 * A guarded write nested in a guarded transaction fails with the inner name; the transaction
 * still rolls back whole.
 */
export function guardWrite<A extends unknown[], R>(
  write: (...args: A) => R,
  what: NoInfer<(...args: A) => string>,
): (...args: A) => R {
  return (...args: A): R => {
    try {
      return write(...args);
    } catch (e) {
      throw writeError(e, what(...args));
    }
  };
}
