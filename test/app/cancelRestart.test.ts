/**
 * A cancel outlives the process: one asked of the venue and not confirmed when the engine dies
 * (kill -9) is in the journal, and the next start cancels the order before any strategy runs,
 * instead of leaving it working at the venue against the user's intent.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { TradingRuntime } from '../../src/app/TradingRuntime.js';
import { OrderStore } from '../../src/storage/sqlite/OrderStore.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { cancelRestartConfig } from './support/cancelRestartConfig.js';

const CHILD = fileURLToPath(new URL('./support/cancelingShadowChild.ts', import.meta.url));
/** Ceiling of the child's run (a loaded shared machine starts Node + tsx slowly); it ends at ASKED. */
const CEILING_MS = 90_000;

/** Reads the journal on its own connection, closed after. */
function journal<T>(dbPath: string, read: (store: OrderStore) => T): T {
  const db = openDatabase(dbPath);
  try {
    return read(new OrderStore(db));
  } finally {
    db.close();
  }
}

/** Runs the child until it asked the cancel and died (killed here, or at its crash point); returns the order id. */
async function crashAfterCancel(dbPath: string, env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, QTS_DB: dbPath, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_c, s) => resolve(s)));
  const timer = setTimeout(() => child.kill('SIGKILL'), CEILING_MS);
  try {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      // kill -9 the moment the cancel is asked and unconfirmed: no graceful stop, no flush.
      if (out.includes('\n')) child.kill('SIGKILL');
    });
    const signal = await exited;
    expect(signal, `child stderr: ${err.slice(-2000)}`).toBe('SIGKILL');
  } finally {
    clearTimeout(timer);
  }
  const asked = /^ASKED (\S+)/m.exec(out)?.[1] ?? journal(dbPath, (s) => s.loadOpenOrders()[0]?.id);
  if (asked === undefined) throw new Error(`the child asked no cancel: ${err.slice(-2000)}`);
  // What the dead engine left: the order still open, as the venue last reported it.
  expect(journal(dbPath, (s) => s.get(asked)?.status)).toBe('ACCEPTED');
  return asked;
}

describe('a cancel not confirmed when the engine died', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it.each([
    ['the venue still held its answer (killed from outside)', { QTS_HOLD_CANCEL: '1' }],
    [
      'the intent was journaled, the venue never asked (crash point)',
      { QTS_CRASH_AT: 'cancel-saved-not-sent' },
    ],
  ])(
    'shadow: %s — the order is canceled at the next start',
    async (_name, env) => {
      const dir = mkdtempSync(join(tmpdir(), 'qts-cancel-restart-'));
      dirs.push(dir);
      const dbPath = join(dir, 'trading.db');
      const asked = await crashAfterCancel(dbPath, env);

      const rt = await TradingRuntime.startShadow(cancelRestartConfig(dbPath), {
        log: pino({ level: 'silent' }),
        noServices: true,
        noHttp: true,
      });
      try {
        // Done by the time the start returns: the restored order is asked again right after the
        // venue took it back, before the strategies start.
        const order = rt.node.oms.order(asked);
        expect([order?.status, order?.reason]).toEqual(['CANCELED', 'canceled via API by alice']);
        expect(rt.node.oms.openOrders().map((o) => o.id)).not.toContain(asked);
        // The grid's other two buys rest on: only the one the user asked to cancel went.
        expect(rt.node.oms.openOrders().length).toBeGreaterThanOrEqual(2);
      } finally {
        await rt.stop();
      }
      const types = journal(dbPath, (s) => s.events(asked).map((e) => e.type));
      // One request (journaled before the first run died), then the cancel: no second request.
      expect(types.slice(-2)).toEqual(['OrderCancelRequested', 'OrderCanceled']);
      expect(types.filter((t) => t === 'OrderCancelRequested')).toHaveLength(1);
    },
    3 * CEILING_MS,
  );
});
