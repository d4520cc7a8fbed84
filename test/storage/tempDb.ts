import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SqliteDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';

/**
 * A private folder under the OS temp dir with a real trading.db in it. `open` makes a new
 * connection (a "restart" is close + open); `remove` closes every connection and deletes it all.
 */
export function tempDb(prefix: string): {
  dir: string;
  path: string;
  open(): SqliteDatabase;
  remove(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), `qts-${prefix}-`));
  const path = join(dir, 'data', 'trading.db');
  const opened: SqliteDatabase[] = [];
  return {
    dir,
    path,
    open() {
      const db = openDatabase(path);
      opened.push(db);
      return db;
    },
    remove() {
      for (const db of opened) if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
