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
