/**
 * A process that is not the engine (api mode, `qts kill`, `qts data`) opening a file whose
 * schema is older than its build while an engine of the older build runs on it: it must not
 * upgrade the schema under that engine (its next write would meet tables it does not know). It
 * is refused ERR_DB_LOCKED; once the engine stops it upgrades as usual; a current file opens
 * beside a running engine (readers never take its lock).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { lockEngineDatabase } from '../../src/storage/sqlite/lockEngineDatabase.js';
import { MIGRATIONS } from '../../src/storage/sqlite/migrations.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { qts } from '../support/runQts.js';
import { schemaVersionOf } from './schemaVersionOf.js';
import { tempDb } from './tempDb.js';

const t = tempDb('beside-engine');
afterEach(() => t.remove());

describe('opening an engine’s database from another process', () => {
  it('does not upgrade the schema under a running engine of an older build; does once it stopped', () => {
    const older = openDatabase(t.path, { migrations: MIGRATIONS.slice(0, -1) });
    const release = lockEngineDatabase(t.path);
    try {
      expect(() => openDatabase(t.path)).toThrow(
        expect.objectContaining({ code: 'ERR_DB_LOCKED' }) as unknown,
      );
      // The CLI, a separate process, the same.
      const kill = qts(['kill', '--db', t.path, '--reason', 'drill']);
      expect(kill.code).not.toBe(0);
      expect(kill.stderr).toMatch(/ERR_DB_LOCKED|an engine is running on the file/);
      expect(schemaVersionOf(t.path)).toBe(MIGRATIONS.length - 1);
      expect(older.prepare('SELECT count(*) AS n FROM risk_state').get()).toEqual({ n: 0 });
    } finally {
      release();
      older.close();
    }
    // The engine stopped: the next opener upgrades the file.
    const db = openDatabase(t.path);
    db.close();
    expect(schemaVersionOf(t.path)).toBe(MIGRATIONS.length);
  });

  it('opens a current file beside a running engine', () => {
    openDatabase(t.path).close();
    const release = lockEngineDatabase(t.path);
    try {
      const reader = openDatabase(t.path);
      expect(reader.prepare('SELECT count(*) AS n FROM orders').get()).toEqual({ n: 0 });
      reader.close();
    } finally {
      release();
    }
  });
});
