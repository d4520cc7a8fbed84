import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../src/notify/TokenBucket.js';

describe('TokenBucket', () => {
  it('never grants more than burst + rate × elapsed, and grants everything spaced at the rate (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 600 }),
        fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 200 }),
        (burst, perMinute, gaps) => {
          const rate = perMinute / 60_000;
          const b = new TokenBucket(burst, rate, 0);
          let t = 0;
          let granted = 0;
          for (const g of gaps) {
            t += g;
            if (b.tryTake(t)) granted++;
            expect(granted).toBeLessThanOrEqual(burst + rate * t + 1e-9);
          }
          // After waiting what it says, a token is there.
          const wait = b.msUntilToken(t);
          expect(b.tryTake(t + wait)).toBe(true);
        },
      ),
      // The float-rounding case CI once found: waiting the advertised time must yield a token.
      { examples: [[2, 3, [0, 3015, 3028, 575, 4390, 2295, 1206, 4982, 18, 492]]], numRuns: 500 },
    );
  });

  it('lets a burst through, then one per interval; time going backwards creates nothing', () => {
    const b = new TokenBucket(3, 1 / 1000, 10_000);
    expect([1, 2, 3, 4].map(() => b.tryTake(10_000))).toEqual([true, true, true, false]);
    expect(b.msUntilToken(10_000)).toBe(1000);
    expect(b.tryTake(10_999)).toBe(false);
    expect(b.tryTake(5_000)).toBe(false);
    expect(b.tryTake(11_000)).toBe(true);
    expect(b.tryTake(11_000)).toBe(false);
  });
});
