/**
 * A shadow engine whose start fails halfway (the API port is taken, after the strategies and
 * the market data started) releases everything it started and records the run as failed: no
 * strategy keeps trading until the process exits, and the next start finds no interrupted run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ApiRuntime } from '../../src/app/ApiRuntime.js';
import { TradingRuntime } from '../../src/app/TradingRuntime.js';
import { RunStore } from '../../src/storage/sqlite/RunStore.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { until } from './support/http.js';
import { syntheticShadowConfig } from './support/syntheticShadowConfig.js';

function config(dbPath: string, port: number) {
  return syntheticShadowConfig(
    dbPath,
    { id: 'sma', strategy: 'sma-cross', params: { fast: 5, slow: 20 } },
    { api: { host: '127.0.0.1', port } },
  );
}

/** What a half-started engine would leave running: timers, listening and connected sockets. */
const LINGERING = ['Timeout', 'TCPServerWrap', 'TCPSocketWrap'];

/** Timers and sockets of this process, by kind (what a half-started engine would leave running). */
function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

/** Waits until no more timers or sockets are open than `before` (a socket's close completes a moment later). */
async function released(before: Record<string, number>): Promise<void> {
  await until(() => {
    const now = activeResources();
    return LINGERING.every((kind) => (now[kind] ?? 0) <= (before[kind] ?? 0));
  }, 'the engine to release its timers and sockets');
}

describe('a shadow start that fails halfway', () => {
  let taken: Server | undefined;
  afterAll(() => new Promise<void>((r) => (taken ? taken.close(() => r()) : r())));

  it('stops what it started, records the run as FAILED with why, and the next start resumes cleanly', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'qts-failed-start-')), 'trading.db');
    const server = createServer();
    taken = server;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const log = pino({ level: 'silent' });
    const before = activeResources();

    await expect(
      TradingRuntime.startShadow(config(dbPath, port), { log, noServices: true }),
    ).rejects.toMatchObject({
      code: 'ERR_API_LISTEN',
    });
    // The replay timer, the command poll, the clock's timers and the API's socket go with the
    // failed start.
    await released(before);
    const db = openDatabase(dbPath);
    const [run] = new RunStore(db).list();
    db.close();
    expect(run).toMatchObject({ status: 'FAILED' });
    expect(run?.error).toContain('EADDRINUSE');
    expect(run?.stoppedAt).toBeGreaterThanOrEqual(run?.startedAt ?? Infinity);

    // The database was closed and the run ended: a start on a free port takes over at once.
    const rt = await TradingRuntime.startShadow(config(dbPath, 0), { log, noServices: true });
    const runs = new RunStore(rt.db).list();
    await rt.stop();
    expect(runs.map((r) => r.status).sort()).toEqual(['FAILED', 'RUNNING']);
  });

  it('that fails before the engine is built (no market data) records the run as FAILED and closes the database', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'qts-failed-start-')), 'trading.db');
    const log = pino({ level: 'silent' });
    const cfg = {
      ...config(dbPath, 0),
      marketData: { ...config(dbPath, 0).marketData, source: 'exchange' as const },
    };
    await expect(
      TradingRuntime.startShadow(cfg, {
        log,
        noServices: true,
        exchangeFactory: () => Promise.reject(new Error('exchange unreachable')),
      }),
    ).rejects.toThrow();
    const rt = await TradingRuntime.startShadow(config(dbPath, 0), { log, noServices: true });
    const runs = new RunStore(rt.db).list();
    await rt.stop();
    expect(runs.map((r) => r.status).sort()).toEqual(['FAILED', 'RUNNING']);
    expect(runs.find((r) => r.status === 'FAILED')?.error).toBeTruthy();
  });

  it('a second engine on the same database is refused before it writes: the running one keeps its run and stops cleanly', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'qts-failed-start-')), 'trading.db');
    const log = pino({ level: 'silent' });
    const first = await TradingRuntime.startShadow(config(dbPath, 0), { log, noServices: true });
    try {
      // The usual mistake: the same configuration started twice.
      await expect(
        TradingRuntime.startShadow(config(dbPath, first.port), { log, noServices: true }),
      ).rejects.toMatchObject({ code: 'ERR_DB_LOCKED' });
      expect(new RunStore(first.db).list().map((r) => r.status)).toEqual(['RUNNING']);
    } finally {
      await first.stop();
    }
    const db = openDatabase(dbPath);
    const runs = new RunStore(db).list();
    db.close();
    expect(runs.map((r) => r.status)).toEqual(['STOPPED']);
    // Released at the stop: the next start takes the database.
    const next = await TradingRuntime.startShadow(config(dbPath, 0), { log, noServices: true });
    await next.stop();
    rmSync(dirname(dbPath), { recursive: true, force: true });
  });

  it('a stop whose run cannot be recorded still closes the API and the database (the process can exit)', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'qts-failed-start-')), 'trading.db');
    const log = pino({ level: 'silent' });
    const rt = await TradingRuntime.startShadow(config(dbPath, 0), { log, noServices: true });
    const port = rt.port;
    // Someone ended the run behind the engine's back (an older build's second start did).
    rt.db.prepare("UPDATE runs SET status = 'INTERRUPTED'").run();
    await expect(rt.stop()).rejects.toMatchObject({ code: 'ERR_DB_JOURNAL' });
    expect(rt.db.open).toBe(false);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dirname(dbPath), { recursive: true, force: true });
  });

  it('in api mode, on a taken port, closes its database and leaves no socket or timer open', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'qts-failed-start-')), 'trading.db');
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const closes = vi.spyOn(Database.prototype, 'close');
    try {
      const port = (server.address() as AddressInfo).port;
      const before = activeResources();
      const cfg = { ...config(dbPath, port), mode: 'api' as const };
      await expect(
        ApiRuntime.start(cfg, pino({ level: 'silent' }), { noServices: true }),
      ).rejects.toMatchObject({
        code: 'ERR_API_LISTEN',
      });
      await released(before);
      expect(closes).toHaveBeenCalledTimes(1);
    } finally {
      closes.mockRestore();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
