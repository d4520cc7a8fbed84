/**
 * A trailing stop taken back after a restart (shadow mode) trails on from the best price it
 * had seen before the stop, kept by the venue's TrailingMarks, not from the first price after
 * the restart: that would leave the user's position with a looser stop than before.
 */
import { describe, expect, it } from 'vitest';
import type { TrailingMarks } from '../../src/sim/SimulatedVenue.js';
import { fx, harness } from './harness.js';

/** The store of a shadow engine's database, in memory. */
function memoryMarks(): TrailingMarks & { readonly saved: Map<string, number> } {
  const saved = new Map<string, number>();
  return {
    saved,
    load: (id) => saved.get(id),
    save: (id, wm) => void saved.set(id, wm),
    forget: (id) => void saved.delete(id),
  };
}

describe('SimulatedVenue restart: trailing stops keep their best price', () => {
  it('a 10% trailing sell that saw 120 before the restart fires at 108 after it', () => {
    const marks = memoryMarks();
    const before = harness({ position: 1, trailingMarks: marks });
    before.bar(100, 101, 99, 100);
    const stop = before.submit({ side: 'SELL', type: 'TRAILING_STOP', qty: 1, trailingPct: 0.1 });
    expect(marks.saved.get(stop.id)).toBe(100);
    before.bar(100, 120, 100, 115);
    expect(marks.saved.get(stop.id)).toBe(120);
    expect(stop.status).toBe('ACCEPTED');

    const after = harness({ position: 1, trailingMarks: marks });
    after.orders.set(stop.id, stop);
    after.venue.adopt(stop);
    // From 110 a stop trailing anew would sit at 99; the one the user had sits at 108.
    after.bar(110, 110, 106, 107);
    expect(after.fills(stop).map((f) => [f.lastQty, f.lastPx])).toEqual([[fx(1), fx(108)]]);
  });

  it('a buy trailing stop keeps its lowest price the same way', () => {
    const marks = memoryMarks();
    const before = harness({ trailingMarks: marks });
    before.bar(100, 101, 99, 100);
    const stop = before.submit({ side: 'BUY', type: 'TRAILING_STOP', qty: 1, trailingPct: 0.1 });
    before.bar(100, 100, 80, 85);
    expect(marks.saved.get(stop.id)).toBe(80);

    const after = harness({ trailingMarks: marks });
    after.orders.set(stop.id, stop);
    after.venue.adopt(stop);
    after.bar(86, 90, 86, 89);
    expect(after.fills(stop).map((f) => f.lastPx)).toEqual([fx(88)]);
  });

  it('a stop that fires, or is canceled, takes its mark with it; the other stops keep theirs', () => {
    const marks = memoryMarks();
    const h = harness({ position: 2, trailingMarks: marks });
    h.bar(100, 101, 99, 100);
    const fired = h.submit({ side: 'SELL', type: 'TRAILING_STOP', qty: 1, trailingPct: 0.1 });
    const canceled = h.submit({ side: 'SELL', type: 'TRAILING_STOP', qty: 1, trailingPct: 0.3 });
    h.bar(100, 120, 100, 115);
    expect([...marks.saved.keys()].sort()).toEqual([canceled.id, fired.id].sort());
    // 120 × 0.9 = 108: the 10% stop fires and fills; the 30% one (84) rests on.
    h.bar(110, 110, 100, 101);
    expect(h.fills(fired).map((f) => f.lastPx)).toEqual([fx(108)]);
    expect([...marks.saved.keys()]).toEqual([canceled.id]);
    h.venue.cancel(canceled, 'ERR_TEST_CANCEL');
    expect(marks.saved.size).toBe(0);
  });
});
