import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ExactSum } from '../../src/core/ExactSum.js';
import { fsum } from '../../src/core/fsum.js';
import { CrossOver } from '../../src/strategy/CrossOver.js';
import { RollingSma } from '../../src/strategy/RollingSma.js';

describe('RollingSma', () => {
  it('equals fsum(window) / period on every bar, bit for bit (property)', () => {
    const price = fc.double({ min: 1e-8, max: 1e6, noNaN: true });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(price, { minLength: 1, maxLength: 300 }),
        (period, prices) => {
          const sma = new RollingSma(period);
          prices.forEach((p, i) => {
            const got = sma.update(p);
            if (i + 1 < period) expect(got).toBeNaN();
            else expect(got).toBe(fsum(prices, i + 1 - period, i + 1) / period);
          });
        },
      ),
      { numRuns: 400 },
    );
  });

  it('stays exact over a long walk where a running sum drifts', () => {
    const sma = new RollingSma(30);
    const prices: number[] = [];
    let x = 1000.123456789;
    let naive = 0;
    let drifted = false;
    for (let i = 0; i < 50_000; i++) {
      x *= 1 + Math.sin(i) * 0.01;
      prices.push(x);
      naive += x;
      if (i >= 30) naive -= prices[i - 30] as number;
      const got = sma.update(x);
      if (i >= 29) {
        expect(got).toBe(fsum(prices, i - 29, i + 1) / 30);
        if (naive / 30 !== got) drifted = true;
      }
    }
    expect(drifted).toBe(true);
  });

  it('ExactSum cancels exactly', () => {
    const s = new ExactSum();
    for (const v of [1e16, 1, -1e16, 0.1, 0.2]) s.add(v);
    expect(s.value()).toBe(fsum([1e16, 1, -1e16, 0.1, 0.2]));
    s.add(-0.1);
    s.add(-0.2);
    s.add(-1);
    expect(s.value()).toBe(0);
  });
});

describe('CrossOver', () => {
  it('follows backtrader: the last non-zero difference decides, touching is no cross', () => {
    const c = new CrossOver();
    const a = [Number.NaN, 1, 1, 2, 2, 1, 0, 1, 2];
    const b = [1, 2, 1, 1, 2, 2, 2, 1, 1];
    expect(a.map((x, i) => c.update(x, b[i] as number))).toEqual([0, 0, 0, 1, 0, -1, 0, 0, 1]);
  });
});
