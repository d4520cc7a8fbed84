/**
 * The funding store's promise: a payment id is recorded once per exchange, whatever is asked
 * again, across reopened connections (restarts) too; the cursor never moves back; what was
 * booked sums to the distinct booked payments.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Fixed } from '../../../src/core/Fixed.js';
import { ZERO, add } from '../../../src/core/Fixed.js';
import { FundingStore } from '../../../src/storage/sqlite/FundingStore.js';
import type { FundingPaymentRecord } from '../../../src/storage/sqlite/FundingStore.js';
import { openDatabase } from '../../../src/storage/sqlite/openDatabase.js';

function dbPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'qts-fundstore-')), 'trading.db');
}

function payment(id: string, ts: number, amount: bigint, booked = true): FundingPaymentRecord {
  return { id, symbol: 'XRP/USDT:USDT', ts, amount: amount as Fixed, currency: 'USDT', booked };
}

describe('FundingStore', () => {
  it('records a payment once, keeps it across a reopen, and keeps exchanges apart', () => {
    const path = dbPath();
    let db = openDatabase(path);
    const a = new FundingStore(db, 'binanceusdm');
    expect(a.cursor('XRP/USDT:USDT')).toBeUndefined();
    expect(a.record('run-1', payment('11', 1_000, -5n), 0), 'first time').toBe(true);
    expect(a.record('run-1', payment('11', 1_000, -5n), 0), 'again').toBe(false);
    expect(a.knows('11')).toBe(true);
    expect(new FundingStore(db, 'bybit').knows('11')).toBe(false);
    expect(a.cursor('XRP/USDT:USDT')).toBe(1_000);
    db.close();

    db = openDatabase(path);
    const b = new FundingStore(db, 'binanceusdm');
    expect(b.record('run-2', payment('11', 1_000, -5n), 0)).toBe(false);
    expect(b.record('run-2', payment('12', 2_000, 7n), 0)).toBe(true);
    expect(b.payments().map((p) => [p.id, p.amount])).toEqual([
      ['11', -5n],
      ['12', 7n],
    ]);
    // The cursor follows the newest payment and never moves back.
    b.advance('XRP/USDT:USDT', 500);
    expect(b.cursor('XRP/USDT:USDT')).toBe(2_000);
    db.close();
  });

  it('property: any sequence of records, with repeats and reopens, books each id once', () => {
    const path = dbPath();
    let run = 0;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            id: fc.integer({ min: 1, max: 30 }),
            amount: fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
            booked: fc.boolean(),
            reopen: fc.boolean(),
          }),
          { maxLength: 60 },
        ),
        (ops) => {
          const exchange = `ex-${run++}`;
          let db = openDatabase(path);
          let store = new FundingStore(db, exchange);
          const first = new Map<string, { amount: bigint; booked: boolean; ts: number }>();
          try {
            ops.forEach((op, i) => {
              const id = String(op.id);
              const isNew = store.record('run', payment(id, i, op.amount, op.booked), i);
              expect(isNew).toBe(!first.has(id));
              if (isNew) first.set(id, { amount: op.amount, booked: op.booked, ts: i });
              if (op.reopen) {
                db.close();
                db = openDatabase(path);
                store = new FundingStore(db, exchange);
              }
            });
            const listed = store.payments();
            expect(listed.map((p) => p.id).sort()).toEqual([...first.keys()].sort());
            for (const p of listed)
              expect([p.amount, p.booked]).toEqual([first.get(p.id)?.amount, first.get(p.id)?.booked]);
            let net = ZERO;
            for (const v of first.values()) if (v.booked) net = add(net, v.amount as Fixed);
            expect(store.bookedNet('USDT')).toBe(net);
            const newest = Math.max(-1, ...[...first.values()].map((v) => v.ts));
            expect(store.cursor('XRP/USDT:USDT')).toBe(newest < 0 ? undefined : newest);
          } finally {
            db.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
