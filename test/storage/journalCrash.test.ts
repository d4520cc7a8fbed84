import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { Fixed } from '../../src/core/Fixed.js';
import { ZERO, add, formatFixed, mul } from '../../src/core/Fixed.js';
import { Ledger } from '../../src/portfolio/Ledger.js';
import { LedgerStore } from '../../src/storage/sqlite/LedgerStore.js';
import type { SqliteDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { OrderStore } from '../../src/storage/sqlite/OrderStore.js';
import { INITIAL_CASH, INSTRUMENT, writeForever } from './fixtures/crashJournal.js';
import { tempDb } from './tempDb.js';

const t = tempDb('crash');
afterEach(() => t.remove());

const WRITER = new URL('./fixtures/crashWriter.ts', import.meta.url).pathname;

/**
 * Runs the writer in a child process and kills it with SIGKILL once it has reported `rounds`
 * committed rounds (it is then in the middle of the next one). Returns the last round reported.
 */
function killAfter(
  path: string,
  rounds: number,
  synchronous: 'NORMAL' | 'FULL',
  dieAtFill = 0,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, path, synchronous, String(dieAtFill)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let seen = -1;
    let buf = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) seen = Math.max(seen, Number(l));
      if (seen + 1 >= rounds && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL') resolve(seen);
      else reject(new Error(`writer ended before it was killed (${String(_code)}): ${stderr}`));
    });
  });
}

/** Everything a restart relies on, checked on the file the killed process left. */
function checkConsistent(db: SqliteDatabase, lastAcknowledged: number): void {
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  const orders = new OrderStore(db);
  // No fill without its order, no event without its order.
  expect(
    db.prepare('SELECT count(*) AS n FROM fills WHERE order_id NOT IN (SELECT id FROM orders)').get(),
  ).toEqual({ n: 0 });
  expect(
    db.prepare('SELECT count(*) AS n FROM order_events WHERE order_id NOT IN (SELECT id FROM orders)').get(),
  ).toEqual({ n: 0 });
  // Each order's summary row is exactly the fold of its events and of its fills.
  const ids = db.prepare<[], string>('SELECT id FROM orders ORDER BY rowid').pluck().all();
  for (const id of ids) {
    const order = orders.load(id); // replays the events, and checks them against the row
    const rec = orders.get(id);
    const fills = orders.fills.forOrder(id);
    let qty: Fixed = ZERO;
    let notional: Fixed = ZERO;
    for (const f of fills) {
      qty = add(qty, f.qty);
      notional = add(notional, mul(f.qty, f.px));
    }
    expect({ id, qty: formatFixed(qty), notional: formatFixed(notional), events: rec?.eventCount }).toEqual({
      id,
      qty: formatFixed(order?.filledQty ?? ZERO),
      notional: formatFixed(rec?.filledNotional ?? ZERO),
      events: order?.events.length,
    });
    expect(order?.events.filter((e) => e.type === 'OrderFilled').length).toBe(fills.length);
  }
  expect(() => orders.loadOpenOrders()).not.toThrow();
  // Every round the process reported (after its commits) is on disk.
  const filledBuys = db
    .prepare("SELECT count(*) AS n FROM orders WHERE side = 'BUY' AND status = 'FILLED'")
    .get() as { n: number };
  expect(filledBuys.n).toBeGreaterThanOrEqual(lastAcknowledged + 1);
  // The account a restart resumes (last snapshot + fills journaled after it) is the replay of
  // every journaled fill from the starting cash, to the last 10^-16.
  const snap = new LedgerStore(db).latest();
  const resumed = new Ledger(snap?.cash ?? INITIAL_CASH);
  if (snap) resumed.restorePositions(snap.positions);
  for (const f of orders.fills.bookedAfter(snap?.fillsUpto ?? 0)) resumed.applyFill(INSTRUMENT, f);
  const replayed = new Ledger(INITIAL_CASH);
  for (const f of orders.fills.history()) replayed.applyFill(INSTRUMENT, f);
  const cash = (l: Ledger) => Object.fromEntries([...l.balances()].map(([c, a]) => [c, formatFixed(a)]));
  expect(cash(resumed)).toEqual(cash(replayed));
  // And the trades moved it: a test that booked nothing would pass the lines above.
  expect(cash(replayed).USDT).not.toBe(INITIAL_CASH.USDT);
  expect(resumed.allPositions()).toEqual(replayed.allPositions());
}

describe('journal killed with SIGKILL mid-write', () => {
  it.each([
    ['NORMAL', 3],
    ['NORMAL', 17],
    ['FULL', 9],
  ] as const)(
    'synchronous %s, killed after round %i: the file opens, nothing is half-committed, the account replays exactly',
    async (synchronous, base) => {
      // Kill somewhere after `rounds` reported rounds: the round in progress is cut at a random write.
      const rounds = base + Math.floor(Math.random() * 10);
      const acked = await killAfter(t.path, rounds, synchronous);
      expect(acked).toBeGreaterThanOrEqual(rounds - 1);
      const db = openDatabase(t.path, { mustExist: true });
      try {
        checkConsistent(db, acked);
      } finally {
        db.close();
      }
    },
    30_000,
  );

  it('killed between a fill committed in the journal and its ledger snapshot: the restart books that fill once', async () => {
    const dieAtFill = 7 + Math.floor(Math.random() * 20);
    await killAfter(t.path, Number.POSITIVE_INFINITY, 'NORMAL', dieAtFill);
    const db = openDatabase(t.path, { mustExist: true });
    try {
      const snap = new LedgerStore(db).latest();
      // The window was hit: exactly the last fill is in the journal and not in the account.
      expect(new OrderStore(db).fills.bookedAfter(snap?.fillsUpto ?? 0)).toHaveLength(1);
      expect(db.prepare('SELECT count(*) FROM fills').pluck().get()).toBe(dieAtFill);
      checkConsistent(db, Math.floor(dieAtFill / 3) - 1);
    } finally {
      db.close();
    }
  }, 30_000);

  it.each([
    [
      'an order row behind its fills',
      "UPDATE orders SET filled_qty = '0.1' WHERE side = 'BUY' AND status = 'FILLED'",
    ],
    ['a fill without its order', "DELETE FROM order_events WHERE type = 'OrderFilled' AND seq = 4"],
    // Its last (16th) decimal changed: ...91 becomes ...92.
    [
      'a snapshot off by 10^-16',
      "UPDATE ledger_balances SET amount = substr(amount, 1, length(amount) - 1) || '2' WHERE currency = 'USDT'",
    ],
  ])('the check itself catches %s', (_what, damage) => {
    const db = t.open();
    writeForever(db, 3);
    checkConsistent(db, 2);
    db.pragma('foreign_keys = OFF');
    db.exec(damage);
    expect(() => checkConsistent(db, 2)).toThrow();
  });
});
