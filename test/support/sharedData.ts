import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The reference market data lives beside the project (../shared/data), never inside it.
 * QTS_SHARED_DATA overrides the location.
 */
export const SHARED_DATA =
  process.env['QTS_SHARED_DATA'] ?? resolve(import.meta.dirname, '../../../shared/data');

/** Absolute path of a file under shared/data, e.g. sharedFile('stocks-daily/orcl-1995-2014.txt'). */
export function sharedFile(rel: string): string {
  return join(SHARED_DATA, rel);
}

/** Whether the shared data folder is present (it is in CI; a user's clone may not have it). */
export const HAS_SHARED_DATA = existsSync(SHARED_DATA);
