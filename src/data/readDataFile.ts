import { readFileSync } from 'node:fs';
import { QtsError } from '../core/QtsError.js';
import { DataErrorCode } from './DataErrorCode.js';

/**
 * The bytes of a data file the user named. A file that is missing, a directory or not
 * readable is a coded error naming it (ERR_DATA_NOT_FOUND, ERR_DATA_UNREADABLE), never the
 * raw errno with a stack trace.
 */
export function readDataFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw readError(path, e);
  }
}

/** {@link readDataFile} as UTF-8 text. */
export function readDataText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw readError(path, e);
  }
}

function readError(path: string, e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === undefined) return e;
  if (code === 'ENOENT') return new QtsError(DataErrorCode.NotFound, `${path}: no such file`, { file: path });
  const why =
    code === 'EISDIR'
      ? 'is a directory, not a data file'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : `cannot be read (${code})`;
  return new QtsError(DataErrorCode.Unreadable, `${path}: ${why}`, { file: path });
}
