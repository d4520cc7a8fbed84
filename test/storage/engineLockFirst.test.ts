import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openRuntimeStorage } from '../../src/app/openRuntimeStorage.js';
import { AppConfigSchema } from '../../src/config/configSchema.js';
import { lockEngineDatabase } from '../../src/storage/sqlite/lockEngineDatabase.js';
import { MIGRATIONS } from '../../src/storage/sqlite/migrations.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { schemaVersionOf } from './schemaVersionOf.js';
import { tempDb } from './tempDb.js';

const t = tempDb('lock-first');
afterEach(() => t.remove());

const log = pino({ level: 'silent' });

describe('a second engine on a database in use', () => {
  it('is refused before it migrates: a newer build does not change the schema under the running older engine', () => {
    // The running engine: an older build (one migration behind), holding the engine lock.
    const older = openDatabase(t.path, { migrations: MIGRATIONS.slice(0, -1) });
    const release = lockEngineDatabase(t.path);
    try {
      const config = AppConfigSchema.parse({ storage: { dbPath: t.path } });
      expect(() => openRuntimeStorage(config, 'shadow', () => 1_700_000_000_000, log)).toThrow(
        expect.objectContaining({ code: 'ERR_DB_LOCKED' }) as unknown,
      );
      // Nothing written: the older engine's file is still on its own schema, without a new run.
      expect(schemaVersionOf(t.path)).toBe(MIGRATIONS.length - 1);
      expect(older.prepare('SELECT count(*) AS n FROM runs').get()).toEqual({ n: 0 });
    } finally {
      release();
      older.close();
    }
  });

  it('locks a database whose folder does not exist yet, then creates it', () => {
    const path = `${t.dir}/fresh/sub/trading.db`;
    const config = AppConfigSchema.parse({ storage: { dbPath: path } });
    const storage = openRuntimeStorage(config, 'shadow', () => 1_700_000_000_000, log);
    try {
      expect(() => lockEngineDatabase(path)).toThrow(
        expect.objectContaining({ code: 'ERR_DB_LOCKED' }) as unknown,
      );
    } finally {
      storage.close();
    }
    // Released on close: the next engine gets it.
    lockEngineDatabase(path)();
  });
});
