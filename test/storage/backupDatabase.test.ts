import { copyFileSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { isQtsError } from '../../src/core/QtsError.js';
import { allocBarSeries } from '../../src/model/BarSeries.js';
import { backupDatabase } from '../../src/storage/sqlite/backupDatabase.js';
import { CandleStore } from '../../src/storage/sqlite/CandleStore.js';
import { lockEngineDatabase } from '../../src/storage/sqlite/lockEngineDatabase.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { tempDb } from './tempDb.js';

const t = tempDb('backup');
afterEach(() => t.remove());

/**
 * Another connection, on another thread, committing one row per transaction as fast as it
 * can until told to stop. shared[0] = stop flag, shared[1] = rows committed so far (row n has
 * ts = n minutes, so the rows of any snapshot are exactly 1..k).
 */
const WRITER = `
const { workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { timeout: 10000 });
db.pragma('synchronous = NORMAL');
const insert = db.prepare("INSERT INTO candles VALUES ('writer', 'W/X', '1m', ?, 1, 1, 1, 1, 1)");
const shared = new Int32Array(workerData.shared);
let n = 0;
while (Atomics.load(shared, 0) === 0) {
  n += 1;
  insert.run(n * 60000);
  Atomics.store(shared, 1, n);
  Atomics.notify(shared, 1);
}
db.close();
`;

/** Blocks until the writer has committed at least `n` rows (its commits wake us; no sleeping). */
function waitForCommits(shared: Int32Array, n: number): void {
  for (let seen = Atomics.load(shared, 1); seen < n; seen = Atomics.load(shared, 1)) {
    if (Atomics.wait(shared, 1, seen, 10_000) === 'timed-out')
      throw new Error(`writer stuck at ${seen} rows`);
  }
}

function prefill(db: Database.Database, n: number): void {
  const s = allocBarSeries('ETH/BTC', '1m', n);
  for (let i = 0; i < n; i++) {
    s.ts[i] = i * 60_000;
    s.open[i] = s.high[i] = s.low[i] = s.close[i] = 0.03 + i * 1e-9;
    s.volume[i] = i;
  }
  new CandleStore(db).upsert('binance', s);
}

describe('backupDatabase', () => {
  it('copies a live database while another connection keeps writing: consistent, verified, nothing committed before it missing', async () => {
    const db = t.open();
    prefill(db, 50_000);
    const shared = new Int32Array(new SharedArrayBuffer(8));
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WRITER, {
      eval: true,
      workerData: { driver, path: t.path, shared: shared.buffer },
    });
    const exited = new Promise<number>((resolve, reject) => {
      worker.once('exit', resolve);
      worker.once('error', reject);
    });
    try {
      waitForCommits(shared, 200);
      const committedBefore = Atomics.load(shared, 1);
      let progressCalls = 0;
      const dest = join(t.dir, 'backups', 'trading-copy.db');
      const result = await backupDatabase(db, dest, {
        onProgress: () => {
          // Between setting up the copy and copying, make sure the writer commits more rows:
          // the copy must still come out as one consistent snapshot.
          if (progressCalls++ === 0) waitForCommits(shared, committedBefore + 100);
        },
      });
      Atomics.store(shared, 0, 1);
      expect(await exited).toBe(0);

      expect(result.path).toBe(dest);
      expect(result.bytes).toBe(statSync(dest).size);
      expect(result.pages).toBeGreaterThan(0);
      expect(existsSync(`${dest}-wal`)).toBe(false);
      expect(Atomics.load(shared, 1)).toBeGreaterThan(committedBefore + 100);

      const copy = new Database(dest, { readonly: true });
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
      const rows = copy
        .prepare<[], { n: number; last: number }>(
          "SELECT count(*) AS n, max(ts) / 60000 AS last FROM candles WHERE exchange = 'writer'",
        )
        .get();
      // Every row committed before the backup started is there, and the rows form one snapshot: 1..k, no holes.
      expect(rows?.n).toBeGreaterThanOrEqual(committedBefore);
      expect(rows?.last).toBe(rows?.n);
      expect(copy.prepare("SELECT count(*) FROM candles WHERE exchange = 'binance'").pluck().get()).toBe(
        50_000,
      );
      copy.close();
      // The copy is a trading.db like any other.
      openDatabase(dest).close();
    } finally {
      Atomics.store(shared, 0, 1);
      await exited.catch(() => undefined);
    }
  });

  it('backs up from a path too, and never overwrites a file or the database itself by accident', async () => {
    t.open().close();
    const dest = join(t.dir, 'copy.db');
    const first = await backupDatabase(t.path, dest);
    expect(first.bytes).toBeGreaterThan(0);
    const code = async (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: unknown) => (isQtsError(e) ? e.code : String(e)),
      );
    expect(await code(backupDatabase(t.path, dest))).toBe('ERR_DB_BACKUP');
    expect(await code(backupDatabase(t.path, dest, { overwrite: true }))).toBe('ok');
    expect(await code(backupDatabase(t.path, t.path, { overwrite: true }))).toBe('ERR_DB_BACKUP');
    expect(await code(backupDatabase(join(t.dir, 'missing.db'), join(t.dir, 'x.db')))).toBe('ERR_DB_OPEN');
    writeFileSync(join(t.dir, 'junk.db'), 'not a database at all\n'.repeat(50));
    expect(await code(backupDatabase(join(t.dir, 'junk.db'), join(t.dir, 'y.db')))).toBe('ERR_DB_BACKUP');
    expect(existsSync(join(t.dir, 'y.db'))).toBe(false);
  });

  // A restore is the same command the other way round (README, "Backups"): --db <backup> --out <trading.db> --overwrite.
  const restore = (backup: string, live: string) =>
    backupDatabase(backup, live, { overwrite: true }).then(
      () => 'ok',
      (e: unknown) => (isQtsError(e) ? e.code : String(e)),
    );
  const rowsOf = (path: string) => {
    const db = new Database(path, { readonly: true });
    try {
      return db.prepare("SELECT count(*) FROM candles WHERE exchange = 'binance'").pluck().get();
    } finally {
      db.close();
    }
  };

  it('restores over an engine database only once the engine is stopped, never under a running one', async () => {
    // The backup: 10 bars. The live database in a folder with a space: 20 bars, an engine on it.
    const backup = join(t.dir, 'backups', 'trading 10.db');
    const old = t.open();
    prefill(old, 10);
    await backupDatabase(old, backup);
    old.close();
    const live = join(t.dir, 'live data', 'trading.db');
    const release = lockEngineDatabase(live);
    const engine = openDatabase(live, { engineLocked: true });
    try {
      prefill(engine, 20);
      expect(await restore(backup, live)).toBe('ERR_DB_LOCKED');
      // The engine's file is untouched and still the one at the path.
      expect(engine.prepare('SELECT count(*) FROM candles').pluck().get()).toBe(20);
      expect(rowsOf(live)).toBe(20);
    } finally {
      engine.close();
      release();
    }
    // Stopped cleanly (its -wal checkpointed away): the restore goes through, and an engine gets the lock again.
    expect(await restore(backup, live)).toBe('ok');
    expect(rowsOf(live)).toBe(10);
    lockEngineDatabase(live)();
  });

  it("refuses to restore beside a crashed engine's -wal, which would be replayed onto the restored file", async () => {
    const backup = join(t.dir, 'trading-backup.db');
    const old = t.open();
    prefill(old, 10);
    await backupDatabase(old, backup);
    // What kill -9 leaves on disk: the main file, and the -wal holding the last commits.
    prefill(old, 30);
    const crashed = join(t.dir, 'crashed', 'trading.db');
    mkdirSync(join(t.dir, 'crashed'));
    for (const suffix of ['', '-wal', '-shm']) copyFileSync(t.path + suffix, crashed + suffix);
    expect(existsSync(`${crashed}-wal`)).toBe(true);
    old.close();

    // Once restored, the file must open as the backup (10 bars), or the restore must refuse; the
    // old command said "integrity ok" and the next open showed the crashed run's 30 bars.
    const outcome = await restore(backup, crashed);
    expect({ outcome, rows: rowsOf(crashed) }).toEqual({ outcome: 'ERR_DB_BACKUP', rows: 30 });
  });
});
