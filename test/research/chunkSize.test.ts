import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHUNK_TARGET_MS, chunkSize } from '../../src/research/chunkSize.js';

describe('chunkSize (how many tasks one message to a worker thread carries)', () => {
  it('hands out every task exactly once, in chunks that shrink to single tasks at the end', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 1, max: 64 }),
        fc.option(fc.double({ min: 0.001, max: 10_000, noNaN: true }), { nil: undefined }),
        (tasks, workers, msPerTask) => {
          let left = tasks;
          let last = Infinity;
          const sizes: number[] = [];
          while (left > 0) {
            const n = chunkSize(left, workers, msPerTask);
            expect(n).toBeGreaterThanOrEqual(1);
            expect(n).toBeLessThanOrEqual(left);
            // Never more than a quarter of an even share of what is left (the tail balances)…
            expect(n).toBeLessThanOrEqual(Math.max(1, Math.ceil(left / (4 * workers))));
            // …nor much more than the target of work per message once a task's cost is known.
            if (msPerTask !== undefined && n > 1) expect(n * msPerTask).toBeLessThanOrEqual(CHUNK_TARGET_MS);
            expect(n).toBeLessThanOrEqual(last);
            last = n;
            sizes.push(n);
            left -= n;
          }
          expect(sizes.reduce((a, b) => a + b, 0)).toBe(tasks);
          expect(sizes.at(-1)).toBe(1);
        },
      ),
    );
  });

  it('sends one task at a time before any was timed, and none when nothing is left', () => {
    expect(chunkSize(1000, 2, undefined)).toBe(1);
    expect(chunkSize(0, 2, 1)).toBe(0);
  });

  it('batches fast tasks so a message carries about the target of work', () => {
    expect(chunkSize(10_000, 2, 0.5)).toBe(Math.floor(CHUNK_TARGET_MS / 0.5));
    expect(chunkSize(10_000, 2, 60)).toBe(1);
  });
});
