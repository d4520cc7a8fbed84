import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/Rng.js';
import { monteCarlo, percentile, tradeReturns } from '../../src/research/monteCarlo.js';

/** numpy's default percentile, written out independently: linear between closest ranks. */
function numpyPercentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const pos = (p / 100) * (s.length - 1);
  const lo = Math.floor(pos);
  const frac = pos - lo;
  return lo + 1 < s.length ? s[lo]! * (1 - frac) + s[lo + 1]! * frac : s[lo]!;
}

describe('monteCarlo', () => {
  it('turns pnls into returns on the equity before each trade', () => {
    expect(tradeReturns([1000, -550, 2090], 10_000)).toEqual([0.1, -0.05, 0.2]);
  });

  it('bootstrap percentiles equal an independent simulation of the documented draws', () => {
    const pnls = [1000, -550, 2090, -300, 150];
    const r = monteCarlo({ pnls, initialEquity: 10_000, runs: 2001, seed: 9, method: 'bootstrap' });
    // Independent re-computation: returns by hand, draws ⌊u·n⌋ from the same seeded stream.
    const returns: number[] = [];
    let eq = 10_000;
    for (const p of pnls) {
      returns.push(p / eq);
      eq += p;
    }
    const rng = new Rng(9);
    const finals: number[] = [];
    const dds: number[] = [];
    let losses = 0;
    for (let run = 0; run < 2001; run++) {
      let e = 1;
      let peak = 1;
      let dd = 0;
      for (let k = 0; k < pnls.length; k++) {
        e *= 1 + returns[Math.floor(rng.next() * pnls.length)]!;
        peak = Math.max(peak, e);
        dd = Math.max(dd, 1 - e / peak);
      }
      finals.push(e - 1);
      dds.push(dd);
      if (e < 1) losses++;
    }
    for (const p of [5, 25, 50, 75, 95] as const) {
      expect(r.finalReturn[`p${p}`]).toBeCloseTo(numpyPercentile(finals, p), 12);
      expect(r.maxDrawdown[`p${p}`]).toBeCloseTo(numpyPercentile(dds, p), 12);
    }
    expect(r.probabilityOfLoss).toBe(losses / 2001);
  });

  it('two trades, two draws: four equally likely outcomes, so the percentiles are known exactly', () => {
    // +10 % and −5 %: outcomes 1.1² − 1 = 21 %, 1.1·0.95 − 1 = 4.5 % (twice as likely), 0.95² − 1 = −9.75 %.
    const r = monteCarlo({
      pnls: [1000, -550],
      initialEquity: 10_000,
      runs: 40_000,
      seed: 1,
      method: 'bootstrap',
    });
    expect(r.finalReturn.p5).toBeCloseTo(0.95 * 0.95 - 1, 12);
    expect(r.finalReturn.p50).toBeCloseTo(1.1 * 0.95 - 1, 12);
    expect(r.finalReturn.p95).toBeCloseTo(1.1 * 1.1 - 1, 12);
    expect(r.probabilityOfLoss).toBeGreaterThan(0.23);
    expect(r.probabilityOfLoss).toBeLessThan(0.27);
    expect(r.maxDrawdown.p5).toBe(0);
    expect(r.maxDrawdown.p95).toBeCloseTo(1 - 0.95 * 0.95, 12);
  });

  it('shuffling never changes the final return, only the drawdown', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -800, max: 1500 }), { minLength: 2, maxLength: 20 }),
        fc.integer(),
        (pnls, seed) => {
          const r = monteCarlo({ pnls, initialEquity: 10_000, runs: 50, seed, method: 'shuffle' });
          const total = pnls.reduce((a, b) => a + b, 0) / 10_000;
          expect(r.finalReturn.min).toBeCloseTo(total, 9);
          expect(r.finalReturn.max).toBeCloseTo(total, 9);
          expect(r.maxDrawdown.min).toBeGreaterThanOrEqual(0);
          expect(r.maxDrawdown.max).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('is seeded and refuses an empty trade list with a code', () => {
    const a = monteCarlo({ pnls: [5, -3, 8], initialEquity: 100, runs: 100, seed: 4, method: 'bootstrap' });
    const b = monteCarlo({ pnls: [5, -3, 8], initialEquity: 100, runs: 100, seed: 4, method: 'bootstrap' });
    expect(a.finalReturns).toEqual(b.finalReturns);
    expect(() =>
      monteCarlo({ pnls: [], initialEquity: 100, runs: 10, seed: 1, method: 'bootstrap' }),
    ).toThrow(expect.objectContaining({ code: 'ERR_MONTECARLO_NO_TRADES' }));
  });

  it('refuses a single trade (no distribution) and a shuffle of fewer trades than the list', () => {
    for (const method of ['bootstrap', 'shuffle'] as const) {
      const one = (): unknown =>
        monteCarlo({ pnls: [500], initialEquity: 10_000, runs: 100, seed: 1, method });
      expect(one).toThrow(expect.objectContaining({ code: 'ERR_MONTECARLO_NO_TRADES' }));
      expect(one).toThrow(/1 closed trade/);
    }
    expect(() =>
      monteCarlo({
        pnls: [5, -3, 8],
        initialEquity: 100,
        runs: 10,
        seed: 1,
        method: 'shuffle',
        tradesPerRun: 2,
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }));
    // Two trades are a distribution; naming every trade for a shuffle is what it does anyway.
    const two = monteCarlo({
      pnls: [1000, -550],
      initialEquity: 10_000,
      runs: 100,
      seed: 1,
      method: 'shuffle',
      tradesPerRun: 2,
    });
    // +10 % then −5 %, or −5 % then +10 %: either order falls 5 % from its peak.
    expect(two.maxDrawdown.min).toBeCloseTo(0.05, 12);
    expect(two.maxDrawdown.max).toBeCloseTo(0.05, 12);
  });

  it('percentile interpolates like numpy', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([10, 20, 30, 40, 50], 5)).toBeCloseTo(12, 12);
    expect(percentile([7], 95)).toBe(7);
  });
});
