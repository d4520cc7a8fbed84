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
import { FakeBinance } from '../support/fakeBinance/FakeBinance.js';
import { EngineProcess } from './support/EngineProcess.js';
import { SYMBOL, tape } from './support/liveHarness.js';
import { PrivateSpotStub } from './support/PrivateSpotStub.js';

/**
 * Crash sweep: a live engine runs as a child process against the fake exchange (in this
 * process) and is killed with SIGKILL at named points — from inside at a QTS_CRASH_AT point,
 * or from outside when the fake sees a request — then restarted on the same database. After
 * each restart and a graceful stop: no order placed twice, every exchange fill booked exactly
 * once, and the books equal the exchange's.
 */
interface KillPoint {
  readonly name: string;
  /** QTS_CRASH_AT value (inside), or an outside trigger wired to the stub. */
  readonly crashAt?: string;
  readonly outside?: (stub: PrivateSpotStub, engine: EngineProcess) => void;
  /** Balances the exchange starts with (a deposit makes startup reconciliation settle something). */
  readonly balances?: Record<string, string>;
}

const BASE = { USDT: '100000', ETH: '0' };
const rng = new Rng(2026);
const randomPoints: KillPoint[] = Array.from({ length: 4 }, (_, i) => {
  const nth = 1 + Math.floor(rng.next() * 5);
  const processed = rng.next() < 0.5;
  return {
    name: `random #${i + 1}: order ${nth}, ${processed ? 'after' : 'before'} the exchange books it`,
    outside: (stub, engine) => {
      let seen = 0;
      stub.onCreate = (isProcessed) => {
        if (isProcessed !== processed) return;
        seen += 1;
        if (seen === nth) engine.kill9();
      };
    },
  };
});

const POINTS: KillPoint[] = [
  { name: 'intent saved, not sent', crashAt: 'intent-saved-not-sent:2' },
  {
    name: 'sent, not acknowledged',
    outside: (stub, engine) => {
      let n = 0;
      stub.onCreate = (processed) => {
        if (processed && ++n === 2) engine.kill9();
      };
    },
  },
  { name: 'fill received, not committed', crashAt: 'fill-received-not-committed:2' },
  { name: 'mid-reconciliation', crashAt: 'mid-reconciliation', balances: { USDT: '100000', ETH: '1.5' } },
  ...randomPoints,
];

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

describe('crash sweep: kill -9 a live engine at many points and restart', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const results: string[] = [];

  it.each(POINTS.map((p) => [p.name, p] as const))(
    '%s: 0 duplicate orders, 0 lost fills, books equal the exchange',
    async (_name, point) => {
      const fake = await FakeBinance.start({
        markets: [
          {
            symbol: SYMBOL,
            trades: tape(4000, 1_700_000_000_000, 15_000, 3),
            tickSize: '0.01',
            lotSize: '0.0001',
          },
        ],
      });
      const dir = mkdtempSync(join(tmpdir(), 'qts-crash-'));
      dirs.push(dir);
      const stub = new PrivateSpotStub(fake, [SYMBOL], point.balances ?? BASE);
      const env = { QTS_FAKE_REST: fake.restUrl, QTS_FAKE_WS: fake.wsUrl, QTS_DB: join(dir, 'live.db') };
      try {
        fake.step(5);
        const first = new EngineProcess({
          ...env,
          ...(point.crashAt ? { QTS_CRASH_AT: point.crashAt } : {}),
        });
        point.outside?.(stub, first);
        if (await within(first.ready, 30_000, 'first start')) fake.play(40);
        const died = await within(first.exited, 60_000, 'the kill');
        fake.pause();
        expect(died.signal).toBe('SIGKILL');
        stub.onCreate = undefined;

        const second = new EngineProcess(env);
        expect(await within(second.ready, 30_000, `restart (${second.stderr})`)).toBe(true);
        // Trade on after the restart, then stop cleanly.
        const ordersBefore = stub.orders.length;
        fake.play(40);
        await within(
          (async () => {
            while (stub.orders.length < ordersBefore + 2) await new Promise((r) => setTimeout(r, 20));
          })(),
          30_000,
          'orders after the restart',
        );
        fake.pause();
        const stopped = await within(second.stop(), 30_000, 'graceful stop');
        expect(stopped.code).toBe(0);

        const db = openDatabase(env.QTS_DB);
        try {
          const fills = new FillStore(db).list({ limit: 100_000 });
          const ids = fills.map((f) => f.tradeId);
          expect(stub.duplicates()).toEqual([]);
          expect(new Set(ids).size).toBe(ids.length);
          expect([...ids].sort()).toEqual(stub.trades.map((t) => String(t.id)).sort());
          const open = new OrderStore(db).loadOpenOrders();
          expect(open.filter((o) => o.status === 'SUBMITTED')).toEqual([]);
          const ledger = new LedgerStore(db).latest();
          expect(toFixed(ledger?.cash['USDT'] ?? '0')).toBe(stub.balance('USDT') * 100_000_000n);
          const pos = ledger?.positions.find((p) => p.symbol === SYMBOL)?.qty ?? 0n;
          expect(pos).toBe(stub.balance('ETH') * 100_000_000n);
          results.push(`${point.name}: ${stub.orders.length} orders, ${fills.length} fills, ok`);
        } finally {
          db.close();
        }
      } finally {
        fake.pause();
        await fake.close();
      }
    },
    150_000,
  );

  afterAll(() => {
    // The sweep's tally, for the issue note.
    process.stdout.write(
      `crash sweep: ${results.length}/${POINTS.length} kill points passed\n${results.join('\n')}\n`,
    );
  });
});
