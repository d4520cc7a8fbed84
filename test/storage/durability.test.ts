import { writeFileSync } from 'node:fs';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openRuntimeStorage } from '../../src/app/openRuntimeStorage.js';
import { isQtsError } from '../../src/core/QtsError.js';
import { loadConfig } from '../../src/config/loadConfig.js';
import { EMPTY_CONFIG } from '../support/emptyConfig.js';
import { tempDb } from './tempDb.js';

const t = tempDb('durability');
afterEach(() => t.remove());

const log = pino({ level: 'silent' });
// Each start records a run named after its start time.
let startedAt = 1_700_000_000_000;
// SQLite's PRAGMA synchronous values.
const NORMAL = 1;
const FULL = 2;

function engineSynchronous(env: NodeJS.ProcessEnv): number {
  const config = loadConfig({
    strategiesDir: `${t.dir}/none`,
    env: { QTS_CONFIG: EMPTY_CONFIG, DB_PATH: t.path, ...env },
  });
  const storage = openRuntimeStorage(config, 'shadow', () => (startedAt += 1000), log);
  try {
    return storage.db.pragma('synchronous', { simple: true }) as number;
  } finally {
    storage.close();
  }
}

describe('storage.synchronous: what a commit survives', () => {
  it('NORMAL by default (a process crash); FULL (a power loss too) from the file or DB_SYNCHRONOUS, any case', () => {
    expect(engineSynchronous({})).toBe(NORMAL);
    expect(engineSynchronous({ DB_SYNCHRONOUS: 'full' })).toBe(FULL);
    const file = `${t.dir}/qts.json`;
    writeFileSync(file, JSON.stringify({ storage: { synchronous: 'FULL' } }));
    expect(engineSynchronous({ QTS_CONFIG: file })).toBe(FULL);
  });

  it('refuses another value by its variable', () => {
    let e: unknown;
    try {
      engineSynchronous({ DB_SYNCHRONOUS: 'OFF' });
    } catch (err) {
      e = err;
    }
    expect(isQtsError(e, 'ERR_CONFIG')).toBe(true);
    expect(String((e as Error).message)).toMatch(/storage\.synchronous: .*\(from DB_SYNCHRONOUS\)/);
  });
});
