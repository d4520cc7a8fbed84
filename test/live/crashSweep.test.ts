import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toFixed } from '../../src/core/Fixed.js';
import { Rng } from '../../src/core/Rng.js';
import { FillStore } from '../../src/storage/sqlite/FillStore.js';
import { LedgerStore } from '../../src/storage/sqlite/LedgerStore.js';
import { OrderStore } from '../../src/storage/sqlite/OrderStore.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import type { FakeBinance } from '../support/fakeBinance/FakeBinance.js';
import { EngineProcess } from './support/EngineProcess.js';
import {
  SYMBOL,
  duplicateOrders,
  exchangeTotal,
  exchangeTradeIds,
  startFake,
  tape,
} from './support/liveHarness.js';

/**
 * Crash sweep: a live engine (private streams on) runs as a child process against the fake
 * exchange (in this process) and is killed with SIGKILL at named points — from inside at a
 * QTS_CRASH_AT point, or from outside when the fake receives or books an order — then
 * restarted on the same database. After each restart and a graceful stop: no order placed
 * twice, every exchange fill booked exactly once, and the books equal the exchange's.
 */
interface KillPoint {
  readonly name: string;
  /** QTS_CRASH_AT value (inside), or an outside trigger wired to the fake; returns its unsubscribe. */
  readonly crashAt?: string;
  readonly outside?: (fake: FakeBinance, engine: EngineProcess) => () => void;
  /** Balances the exchange starts with (a deposit makes startup reconciliation settle something). */
  readonly balances?: Record<string, string>;
}

const BASE = { USDT: '100000', ETH: '0' };

/** Calls `hit` when an order request reaches the exchange, before it is processed. */
function onReceived(fake: FakeBinance, hit: () => void): () => void {
  return fake.onRequest((e) => {
    if (e.method === 'POST' && e.path === '/api/v3/order') hit();
  });
}

/** Calls `hit` when the matching engine has booked an order, before the answer leaves. */
function onBooked(fake: FakeBinance, hit: () => void): () => void {
  return fake.account.onOrder((_o, execType) => {
    if (execType === 'NEW') hit();
  });
}
const rng = new Rng(2026);
const randomPoints: KillPoint[] = Array.from({ length: 4 }, (_, i) => {
  const nth = 1 + Math.floor(rng.next() * 5);
  const processed = rng.next() < 0.5;
  return {
    name: `random #${i + 1}: order ${nth}, ${processed ? 'after' : 'before'} the exchange books it`,
    outside: (fake, engine) => {
      let seen = 0;
      const hit = (): void => {
        if (++seen === nth) engine.kill9();
      };
      return processed ? onBooked(fake, hit) : onReceived(fake, hit);
    },
  };
});

const POINTS: KillPoint[] = [
  { name: 'intent saved, not sent', crashAt: 'intent-saved-not-sent:2' },
  {
    name: 'sent, not acknowledged',
    outside: (fake, engine) => {
      let n = 0;
      return onBooked(fake, () => {
        if (++n === 2) engine.kill9();
      });
    },
  },
  { name: 'fill received, not committed', crashAt: 'fill-received-not-committed:2' },
  { name: 'mid-reconciliation', crashAt: 'mid-reconciliation', balances: { USDT: '100000', ETH: '1.5' } },
  ...randomPoints,
];

/**
 * Ceiling of each wait on the child (start, kill, restart, orders, stop). These are ceilings,
 * not sleeps: every wait ends as soon as its condition holds (a few seconds here); the margin
 * is for a heavily loaded shared machine, where starting Node + tsx + ccxt alone has taken
 * over 30 s.
 */
const CEILING_MS = 120_000;

async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Adds the child's stderr to a failed wait's message. */
function withStderr(p: EngineProcess): (e: unknown) => never {
  return (e) => {
    throw new Error(`${e instanceof Error ? e.message : String(e)}: ${p.stderr.slice(-2000)}`);
  };
}

describe('crash sweep: kill -9 a live engine at many points and restart', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const results: string[] = [];

  it.each(POINTS.map((p) => [p.name, p] as const))(
    '%s: 0 duplicate orders, 0 lost fills, books equal the exchange',
    async (_name, point) => {
      const began = performance.now();
      const fake = await startFake(tape(4000, 1_700_000_000_000, 15_000, 3), point.balances ?? BASE);
      const orders = (): number => fake.account.orders('spot').length;
      const dir = mkdtempSync(join(tmpdir(), 'qts-crash-'));
      dirs.push(dir);
      // Every child this case started is ended (by its own pid) whatever happened.
      const children: EngineProcess[] = [];
      const env = { QTS_FAKE_REST: fake.restUrl, QTS_FAKE_WS: fake.wsUrl, QTS_DB: join(dir, 'live.db') };
      try {
        fake.step(5);
        const first = new EngineProcess({
          ...env,
          ...(point.crashAt ? { QTS_CRASH_AT: point.crashAt } : {}),
        });
        children.push(first);
        const unhook = point.outside?.(fake, first);
        if (await within(first.ready, CEILING_MS, 'first start').catch(withStderr(first))) fake.play(40);
        const died = await within(first.exited, CEILING_MS, 'the kill');
        fake.pause();
        unhook?.();
        expect(died.signal).toBe('SIGKILL');

        const second = new EngineProcess(env);
        children.push(second);
        expect(await within(second.ready, CEILING_MS, 'restart').catch(withStderr(second))).toBe(true);
        // Trade on after the restart, then stop cleanly.
        const ordersBefore = orders();
        fake.play(40);
        await within(
          (async () => {
            while (orders() < ordersBefore + 2) await new Promise((r) => setTimeout(r, 20));
          })(),
          CEILING_MS,
          'orders after the restart',
        );
        fake.pause();
        const stopped = await within(second.stop(), CEILING_MS, 'graceful stop');
        expect(stopped.code).toBe(0);

        const db = openDatabase(env.QTS_DB);
        try {
          const fills = new FillStore(db).list({ limit: 100_000 });
          const ids = fills.map((f) => f.tradeId);
          expect(duplicateOrders(fake)).toEqual([]);
          expect(new Set(ids).size).toBe(ids.length);
          expect([...ids].sort()).toEqual(exchangeTradeIds(fake).sort());
          const open = new OrderStore(db).loadOpenOrders();
          expect(open.filter((o) => o.status === 'SUBMITTED')).toEqual([]);
          const ledger = new LedgerStore(db).latest();
          expect(toFixed(ledger?.cash['USDT'] ?? '0')).toBe(exchangeTotal(fake, 'USDT'));
          const pos = ledger?.positions.find((p) => p.symbol === SYMBOL)?.qty ?? 0n;
          expect(pos).toBe(exchangeTotal(fake, 'ETH'));
          const streamed = fake.log.filter((e) => e.method === 'userDataStream.subscribe.signature').length;
          expect(streamed).toBeGreaterThanOrEqual(1);
          results.push(
            `${point.name}: ${orders()} orders, ${fills.length} fills, ${streamed} stream subscriptions, ok in ${((performance.now() - began) / 1000).toFixed(1)} s`,
          );
        } finally {
          db.close();
        }
      } finally {
        for (const c of children) c.kill9();
        fake.pause();
        await fake.close();
      }
    },
    // Four ceilings in a row at most; a case takes about 10 s when nothing is stuck.
    5 * CEILING_MS,
  );

  afterAll(() => {
    // The sweep's tally, for the issue note.
    process.stdout.write(
      `crash sweep: ${results.length}/${POINTS.length} kill points passed\n${results.join('\n')}\n`,
    );
  });
});
