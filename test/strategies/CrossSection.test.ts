import { describe, expect, it } from 'vitest';
import type { Bar } from '../../src/model/Bar.js';
import type { CrossSectionSnapshot } from '../../src/strategy/CrossSection.js';
import { CrossSection } from '../../src/strategy/CrossSection.js';

const bar = (symbol: string, ts: number): Bar => ({
  symbol,
  timeframe: '1m',
  ts,
  open: 1,
  high: 1,
  low: 1,
  close: 1,
  volume: 1,
  closed: true,
});

/** Feeds periods 0..n-1 of `symbols` (each symbol's bars only up to its end), in the given order within a period. */
function feed(cs: CrossSection, order: readonly string[], ends: Record<string, number>, n: number) {
  const out: CrossSectionSnapshot[] = [];
  for (let p = 0; p < n; p++) {
    for (const s of order)
      if (p < (ends[s] ?? n) || p >= (ends[`${s}:back`] ?? n)) out.push(...cs.add(bar(s, p)));
  }
  return out.map((snap) => ({
    ts: snap.ts,
    bars: [...snap.bars.keys()].sort(),
    gone: [...snap.gone].sort(),
  }));
}

describe('CrossSection', () => {
  it('stops waiting for a member silent for goneAfter periods, on time and in any feed order', () => {
    const runs = [
      ['A', 'B', 'C'],
      ['C', 'B', 'A'],
    ].map((order) => feed(new CrossSection(['A', 'B', 'C'], { goneAfter: 3 }), order, { B: 4 }, 10));
    expect(runs[1]).toEqual(runs[0]);
    const periods = runs[0] ?? [];
    // Periods 4..6 wait for B and close only when a later bar comes; from 7 on B is gone and
    // every period closes with its own last bar (the last one included).
    expect(periods.map((p) => p.ts)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(periods[6]?.gone).toEqual(['B']);
    expect(periods[5]?.gone).toEqual([]);
    expect(periods[9]).toEqual({ ts: 9, bars: ['A', 'C'], gone: ['B'] });
  });

  it('takes a gone member back from the period after its first bar back, in any feed order', () => {
    const runs = [
      ['A', 'B', 'C'],
      ['C', 'B', 'A'],
      ['B', 'A', 'C'],
    ].map((order) =>
      feed(new CrossSection(['A', 'B', 'C'], { goneAfter: 2 }), order, { B: 3, 'B:back': 8 }, 12),
    );
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
    const periods = runs[0] ?? [];
    expect(periods[8]).toEqual({ ts: 8, bars: ['A', 'C'], gone: ['B'] });
    expect(periods[9]).toEqual({ ts: 9, bars: ['A', 'B', 'C'], gone: [] });
  });

  it('closes an incomplete period on flush, and drops a bar of it that comes later', () => {
    const cs = new CrossSection(['A', 'B']);
    expect(cs.add(bar('A', 0))).toEqual([]);
    expect(cs.openTs).toBe(0);
    const [snap] = cs.flush();
    expect(snap?.ts).toBe(0);
    expect([...(snap?.bars.keys() ?? [])]).toEqual(['A']);
    expect(cs.openTs).toBeUndefined();
    expect(cs.add(bar('B', 0))).toEqual([]);
    expect(cs.add(bar('A', 1))).toEqual([]);
    expect(cs.add(bar('B', 1)).map((s) => s.ts)).toEqual([1]);
  });

  it('without goneAfter, always waits for every member (pairs)', () => {
    const periods = feed(new CrossSection(['A', 'B']), ['A', 'B'], { B: 2 }, 30);
    expect(periods.every((p) => p.gone.length === 0)).toBe(true);
    expect(periods).toHaveLength(29); // the last period, still waiting for B, is not closed
  });
});
