import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Timers } from '../../../src/api/push/Throttle.js';
import { Throttle } from '../../../src/api/push/Throttle.js';

/** A manual clock and timer queue: time moves only when the test says so. */
class ManualTime implements Timers {
  t = 0;
  private queue: { at: number; fn: () => void; id: number }[] = [];
  private ids = 0;
  set(fn: () => void, ms: number): unknown {
    const id = ++this.ids;
    this.queue.push({ at: this.t + ms, fn, id });
    return id;
  }
  clear(handle: unknown): void {
    this.queue = this.queue.filter((q) => q.id !== handle);
  }
  advanceTo(target: number): void {
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.queue[0];
      if (next === undefined || next.at > target) break;
      this.queue.shift();
      this.t = next.at;
      next.fn();
    }
    this.t = Math.max(this.t, target);
  }
}

describe('Throttle', () => {
  it('emits at once after a quiet period and coalesces a burst into one trailing emit', () => {
    const time = new ManualTime();
    const emits: number[] = [];
    const th = new Throttle(
      250,
      () => emits.push(time.t),
      () => time.t,
      time,
    );
    th.trigger();
    expect(emits).toEqual([0]);
    for (const at of [10, 50, 120, 200]) {
      time.advanceTo(at);
      th.trigger();
    }
    expect(emits).toEqual([0]);
    time.advanceTo(1_000);
    expect(emits).toEqual([0, 250]);
    th.trigger();
    expect(emits).toEqual([0, 250, 1_000]);
    th.trigger();
    th.dispose();
    time.advanceTo(5_000);
    expect(emits).toEqual([0, 250, 1_000]);
  });

  it('never emits twice within the interval, never loses the last trigger, never emits unasked (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.array(fc.integer({ min: 0, max: 5_000 }), { maxLength: 60 }),
        (interval, raw) => {
          const triggers = [...raw].sort((a, b) => a - b);
          const time = new ManualTime();
          const emits: number[] = [];
          const th = new Throttle(
            interval,
            () => emits.push(time.t),
            () => time.t,
            time,
          );
          for (const at of triggers) {
            time.advanceTo(at);
            th.trigger();
          }
          time.advanceTo(Number.MAX_SAFE_INTEGER);
          for (let i = 1; i < emits.length; i++)
            expect(emits[i]! - emits[i - 1]!).toBeGreaterThanOrEqual(interval);
          expect(emits.length).toBeLessThanOrEqual(triggers.length);
          // Every trigger is answered by an emit no earlier than it and at most one interval later.
          for (const at of triggers) expect(emits.some((e) => e >= at && e <= at + interval)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
