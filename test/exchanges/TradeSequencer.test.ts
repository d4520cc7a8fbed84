import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TradeSequencer } from '../../src/exchanges/TradeSequencer.js';
import type { Trade } from '../../src/model/Bar.js';

const t = (id: number): Trade => ({
  symbol: 'X/Y',
  ts: 1000 + id,
  id: String(id),
  price: 1,
  amount: 1,
  side: 'BUY',
});
const ids = (ts: readonly Trade[]): number[] => ts.map((x) => Number(x.id));

describe('TradeSequencer', () => {
  it('releases consecutive trades at once and holds those behind a hole', () => {
    const s = new TradeSequencer('X/Y');
    expect(ids(s.push([t(10), t(11)]))).toEqual([10, 11]);
    expect(ids(s.push([t(14), t(15)]))).toEqual([]);
    expect(s.gap()).toEqual({ fromId: 12, toId: 13, missing: 2 });
    expect(s.pendingCount()).toBe(2);
    expect(ids(s.push([t(13)]))).toEqual([]);
    expect(s.gap()).toEqual({ fromId: 12, toId: 12, missing: 1 });
    expect(ids(s.push([t(12)]))).toEqual([12, 13, 14, 15]);
    expect(s.gap()).toBeUndefined();
    expect(s.expectedId()).toBe(16);
  });

  it('drops repeats, whether already released or still held', () => {
    const s = new TradeSequencer('X/Y');
    s.push([t(1), t(2)]);
    s.push([t(5)]);
    expect(s.push([t(2), t(5), t(1)])).toEqual([]);
    expect(s.duplicates()).toBe(3);
  });

  it('gives up on a hole the venue cannot fill and reports the ids skipped', () => {
    const s = new TradeSequencer('X/Y');
    s.push([t(1)]);
    s.push([t(7), t(8)]);
    expect(ids(s.skipGap())).toEqual([7, 8]);
    expect(s.skippedIds()).toBe(5);
    expect(s.gap()).toBeUndefined();
  });

  it('startAt moves the start back (a head backfill) or forward', () => {
    const s = new TradeSequencer('X/Y');
    s.push([t(20)]);
    expect(s.expectedId()).toBe(21);
    const r = s.startAt(17);
    expect(r).toEqual([]);
    expect(ids(s.push([t(18), t(17), t(19)]))).toEqual([17, 18, 19]);
    s.push([t(25)]);
    expect(ids(s.startAt(25))).toEqual([25]);
  });

  it('gives up on the oldest hole when too many trades wait behind it', () => {
    const s = new TradeSequencer('X/Y', { maxPending: 3 });
    s.push([t(1)]);
    expect(ids(s.push([t(5), t(6), t(7), t(8)]))).toEqual([5, 6, 7, 8]);
    expect(s.skippedIds()).toBe(3);
  });

  it('releaseAll gives up on every hole and releases all held trades in id order', () => {
    const s = new TradeSequencer('X/Y');
    s.push([t(1)]);
    expect(ids(s.push([t(9), t(4), t(5)]))).toEqual([]);
    expect(ids(s.releaseAll())).toEqual([4, 5, 9]);
    expect(s.skippedIds()).toBe(2 + 3);
    expect(s.pendingCount()).toBe(0);
    expect(s.expectedId()).toBe(10);
  });

  it('refuses ids that are not integers', () => {
    const s = new TradeSequencer('X/Y');
    expect(() => s.push([{ ...t(1), id: 'abc' }])).toThrow(/not a non-negative integer/);
  });

  it('property: any arrival order with repeats releases every trade exactly once, in id order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.array(fc.nat(), { maxLength: 400 }),
        fc.integer(),
        (n, extra, seed) => {
          const all = Array.from({ length: n }, (_, i) => t(100 + i));
          const arrivals = [...all, ...extra.map((e) => all[e % n] as Trade)];
          let s0 = seed >>> 0;
          for (let i = arrivals.length - 1; i > 0; i--) {
            s0 = (Math.imul(s0, 1664525) + 1013904223) >>> 0;
            const j = s0 % (i + 1);
            [arrivals[i], arrivals[j]] = [arrivals[j] as Trade, arrivals[i] as Trade];
          }
          const s = new TradeSequencer('X/Y');
          s.startAt(100);
          const out: Trade[] = [];
          for (const a of arrivals) out.push(...s.push([a]));
          expect(ids(out)).toEqual(ids(all));
        },
      ),
      { numRuns: 200 },
    );
  });
});
