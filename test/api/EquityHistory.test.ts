import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { EquityHistory, thinPoints } from '../../src/api/engine/EquityHistory.js';
import { EquitySampleStore } from '../../src/storage/sqlite/EquitySampleStore.js';
import type { SqliteDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';

const dir = mkdtempSync(join(tmpdir(), 'qts-equity-history-'));
const opened: SqliteDatabase[] = [];
let files = 0;
function freshDb(): SqliteDatabase {
  const db = openDatabase(join(dir, `e${files++}.db`));
  opened.push(db);
  return db;
}
afterAll(() => {
  for (const db of opened) db.close();
});

/** Strictly increasing sample times with gaps of 1 ms … 2 min, and equity values. */
const run = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 120_000 }), fc.double({ min: 1, max: 1e6, noNaN: true })), {
    minLength: 1,
    maxLength: 300,
  })
  .map((steps) => {
    let ts = 1_700_000_000_000;
    return steps.map(([gap, equity]) => ({ ts: (ts += gap), equity }));
  });

describe('EquityHistory persisted in SQLite', () => {
  it('stores at most one sample per interval, keeps at most maxSamples, and a restart sees the old curve first', () => {
    fc.assert(
      fc.property(
        run,
        run,
        fc.integer({ min: 0, max: 90_000 }),
        fc.integer({ min: 10, max: 120 }),
        (first, second, sampleMs, maxSamples) => {
          const db = freshDb();
          const store = new EquitySampleStore(db);
          const persist = (runId: string) => ({ store, runId, sampleMs, maxSamples });
          const a = new EquityHistory(5_000, 1_000, persist('a'));
          for (const p of first) a.add(p.ts, p.equity);
          a.flush();
          const storedA = store.range();
          // Spacing holds between samples written by add (flush may write the last one early).
          for (let i = 1; i < storedA.length - 1; i++)
            expect(storedA[i]!.ts - storedA[i - 1]!.ts).toBeGreaterThanOrEqual(sampleMs);
          // The last sample of the run is stored by the clean stop, exactly.
          const lastA = first[first.length - 1]!;
          expect(storedA[storedA.length - 1]).toEqual({ ...lastA, runId: 'a' });
          expect(storedA.length).toBeLessThanOrEqual(maxSamples + 500);

          // The next run starts after the first one ended.
          const offset = lastA.ts - second[0]!.ts + 1;
          const b = new EquityHistory(5_000, 1_000, persist('b'));
          for (const p of second) b.add(p.ts + offset, p.equity);
          const curve = b.range(undefined, undefined, 10_000);
          const ts = curve.map((p) => p.ts);
          expect(ts).toEqual([...ts].sort((x, y) => x - y));
          expect(new Set(ts).size).toBe(ts.length);
          // Every stored sample of the first run is still there, before this run's points.
          const oldPart = curve.filter((p) => p.ts <= lastA.ts);
          expect(oldPart).toEqual(
            store.range(undefined, lastA.ts + 1).map(({ ts: t, equity }) => ({ ts: t, equity })),
          );
          expect(curve[curve.length - 1]?.ts).toBeGreaterThan(lastA.ts);
          db.close();
          opened.splice(opened.indexOf(db), 1);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('prunes the store to the newest maxSamples', () => {
    const store = new EquitySampleStore(freshDb());
    for (let i = 0; i < 1_200; i++) store.append({ ts: i * 1_000, equity: i, runId: 'r' });
    store.prune(100);
    const kept = store.range();
    expect(kept).toHaveLength(100);
    expect(kept[0]?.ts).toBe(1_100_000);
    expect(store.last()?.ts).toBe(1_199_000);
    // A history of 1,000 writes through EquityHistory stays bounded by the same rule.
    const h = new EquityHistory(5_000, 1_000, { store, runId: 'h', sampleMs: 0, maxSamples: 50 });
    for (let i = 0; i < 1_001; i++) h.add(2_000_000 + i * 1_000, i);
    expect(store.count()).toBeLessThanOrEqual(50 + 500);
  });

  it('thins to at most the asked number of points, in order, always keeping the newest and the peak', () => {
    fc.assert(
      fc.property(run, fc.integer({ min: 2, max: 400 }), (points, max) => {
        const out = thinPoints(points, max);
        expect(out.length).toBeLessThanOrEqual(max);
        const ts = out.map((p) => p.ts);
        expect(ts).toEqual([...new Set(ts)].sort((x, y) => x - y));
        const peak = Math.max(...points.map((p) => p.equity));
        expect(Math.max(...out.map((p) => p.equity))).toBe(peak);
        // Thinned evenly: never fewer than half of what was asked for.
        if (points.length > max)
          expect(out.length).toBeGreaterThanOrEqual(Math.max(2, Math.floor(max / 2) - 1));
        expect(out[out.length - 1]).toEqual(points[points.length - 1]);
        if (points.length <= max) expect(out).toEqual(points);
      }),
    );
  });
});
