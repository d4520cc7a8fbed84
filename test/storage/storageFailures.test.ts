import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, openSync, readFileSync, readdirSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openRuntimeStorage } from '../../src/app/openRuntimeStorage.js';
import { AppConfigSchema } from '../../src/config/configSchema.js';
import { toFixed } from '../../src/core/Fixed.js';
import { IdGenerator } from '../../src/core/ids.js';
import { ExecutionEngine } from '../../src/execution/ExecutionEngine.js';
import { TestClock } from '../../src/kernel/Clock.js';
import { MessageBus } from '../../src/kernel/MessageBus.js';
import { lockEngineDatabase } from '../../src/storage/sqlite/lockEngineDatabase.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { OrderStore } from '../../src/storage/sqlite/OrderStore.js';
import { writeForever } from './fixtures/crashJournal.js';
import { tempDb } from './tempDb.js';

const t = tempDb('failures');
afterEach(() => {
  chmodSync(t.dir, 0o700);
  t.remove();
});

const log = pino({ level: 'silent' });
const startEngine = (dbPath: string) =>
  openRuntimeStorage(AppConfigSchema.parse({ storage: { dbPath } }), 'shadow', () => 1_700_000_000_000, log);
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const caught = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
};

/** A trading.db with 10 rounds of orders and fills, checkpointed into the main file and closed. */
function journalOnDisk(): void {
  const db = openDatabase(t.path);
  writeForever(db, 10);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

describe('a damaged or foreign file at the database path', () => {
  it('a file with damaged pages in the fills table: the engine refuses to start with ERR_DB_CORRUPT, file untouched', () => {
    journalOnDisk();
    const probe = openDatabase(t.path);
    const pages = probe.prepare<[], number>("SELECT pageno FROM dbstat WHERE name = 'fills'").pluck().all();
    const pageSize = probe.pragma('page_size', { simple: true }) as number;
    probe.close();
    expect(pages.length).toBeGreaterThan(0);
    // A bad sector / torn write in the middle of the file: the header and schema still read fine.
    const fd = openSync(t.path, 'r+');
    for (const p of pages) writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, (p - 1) * pageSize);
    closeSync(fd);
    const before = sha(t.path);
    const e = caught(() => startEngine(t.path));
    expect(e).toMatchObject({ code: 'ERR_DB_CORRUPT' });
    expect((e as Error).message).toContain(t.path);
    expect(sha(t.path)).toBe(before);
    // The lock went with the refusal: a fixed file (a restored backup) can be started at once.
    lockEngineDatabase(t.path)();
  });

  it('a file cut short (half its pages gone) is ERR_DB_CORRUPT naming the file', () => {
    journalOnDisk();
    const bytes = readFileSync(t.path);
    writeFileSync(t.path, bytes.subarray(0, Math.floor(bytes.length / 2 / 4096) * 4096));
    const e = caught(() => startEngine(t.path));
    expect(e).toMatchObject({ code: 'ERR_DB_CORRUPT' });
    expect((e as Error).message).toContain(t.path);
  });

  it('a file that is not SQLite is ERR_DB_OPEN and left byte for byte, with no -wal/-shm beside it', () => {
    const path = join(t.dir, 'data', 'trading.db');
    openDatabase(path).close();
    writeFileSync(path, 'date,open,high\n1,2,3\n'.repeat(500));
    const before = sha(path);
    expect(caught(() => startEngine(path))).toMatchObject({ code: 'ERR_DB_OPEN' });
    expect(sha(path)).toBe(before);
    const beside = readdirSync(join(t.dir, 'data')).filter((f) => !f.endsWith('.engine-lock'));
    expect(beside).toEqual(['trading.db']);
  });
});

describe('a write SQLite refuses', () => {
  it('disk full while journaling: ERR_DB_WRITE, the event is wholly absent, everything before it is kept', () => {
    const db = openDatabase(t.path);
    const store = new OrderStore(db);
    const clock = new TestClock(1_700_000_000_000);
    const engine = new ExecutionEngine(new MessageBus(), clock, new IdGenerator('D'), store.journal);
    const req = {
      symbol: 'BTC/USDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: toFixed('0.3'),
      price: toFixed('100'),
      timeInForce: 'GTC',
      postOnly: false,
      reduceOnly: false,
    } as const;
    const kept = engine.create('s', { ...req });
    // The file may not grow any more: what a full disk does to the next page SQLite needs.
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    const e = caught(() => {
      for (let i = 0; i < 1000; i++) engine.create('s', { ...req, tag: 'x'.repeat(2000) });
    });
    expect(e).toMatchObject({ code: 'ERR_DB_WRITE', details: { sqlite: 'SQLITE_FULL' } });
    db.close();
    const after = new OrderStore(openDatabase(t.path));
    const ids = after.list({ limit: 10_000 }).map((o) => o.id);
    expect(ids).toContain(kept.id);
    // No order row without its event, no event without its row.
    for (const id of ids) expect(after.events(id).length).toBe(after.get(id)?.eventCount);
  });
});

describe('two engine processes on one file', () => {
  it('the second is refused with ERR_DB_LOCKED while the first lives, and gets the file once it is killed -9', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', new URL('./fixtures/holdEngineLock.ts', import.meta.url).pathname, t.path],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
        child.on('exit', () => reject(new Error('holder ended early')));
      });
      expect(caught(() => startEngine(t.path))).toMatchObject({ code: 'ERR_DB_LOCKED' });
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    // No stale lock: the OS released it with the process.
    const storage = startEngine(t.path);
    storage.close();
  }, 30_000);
});
