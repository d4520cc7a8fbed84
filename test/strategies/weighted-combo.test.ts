import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SignalWeights } from '../../src/strategy/SignalWeights.js';
import { HAS_SHARED_DATA } from '../support/sharedData.js';
import { sma } from './support/indicatorsByHand.js';
import { ETH_BTC_5M, itPinsTheTradeLog, runGolden, series } from './support/golden.js';

const OPTS = { window: 20, sensitivity: 20, correlationPenalty: 1, maxDrawdown: 0.03, cooldown: 10 };

describe('SignalWeights (weights of the weighted combo)', () => {
  it('combined exposure stays in [0, 1], weights are never negative, and unanimous members are followed', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.double({ min: -0.05, max: 0.05, noNaN: true }),
            fc.array(fc.constantFrom(0, 1), { minLength: 3, maxLength: 3 }),
          ),
          {
            minLength: 1,
            maxLength: 200,
          },
        ),
        (steps) => {
          const w = new SignalWeights(3, OPTS);
          for (const [ret, wishes] of steps) {
            const x = w.update(ret, wishes);
            expect(x).toBeGreaterThanOrEqual(0);
            expect(x).toBeLessThanOrEqual(1);
            for (const wi of w.weights()) expect(wi).toBeGreaterThanOrEqual(0);
            const all = wishes.every((v) => v === wishes[0]);
            if (all && w.weights().some((wi) => wi > 0)) expect(x).toBe(wishes[0]);
          }
        },
      ),
    );
  });

  it('a member losing more than maxDrawdown is switched off for `cooldown` bars, then weighs again', () => {
    const w = new SignalWeights(2, { ...OPTS, sensitivity: 0 });
    w.update(0, [1, 0]); // member 0 long from here
    w.update(-0.05, [1, 0]); // −5 % > 3 %: tripped
    expect(w.isOff(0)).toBe(true);
    expect(w.weights()[0]).toBe(0);
    expect(w.update(0, [1, 0])).toBe(0); // only the flat member counts
    for (let i = 0; i < OPTS.cooldown; i++) w.update(0, [1, 0]);
    expect(w.isOff(0)).toBe(false);
    expect(w.weights()[0]).toBeGreaterThan(0);
  });

  it('members that move together share weight: the correlation penalty lowers both', () => {
    const together = new SignalWeights(3, { ...OPTS, sensitivity: 0, maxDrawdown: 0.5 });
    const free = new SignalWeights(3, { ...OPTS, sensitivity: 0, maxDrawdown: 0.5, correlationPenalty: 0 });
    const rets = [0.01, -0.02, 0.015, -0.005, 0.02, -0.01, 0.01, 0.003];
    rets.forEach((r, i) => {
      const wish = [i % 2, i % 2, 1 - (i % 2)];
      together.update(r, wish);
      free.update(r, wish);
    });
    const [a, b] = together.weights();
    expect(a).toBeLessThan(free.weights()[0] as number);
    expect(a).toBeCloseTo(b as number, 12);
  });
});

describe.skipIf(!HAS_SHARED_DATA)('weighted-combo on ETH/BTC 5m (golden)', () => {
  const s = series(ETH_BTC_5M);
  const r = runGolden('weighted-combo', [s]);

  itPinsTheTradeLog(r, {
    filled: 172,
    sent: 172,
    finalEquity: 0.7965658448704,
    sha256: '41a58fc49ab0dd413feffc27cec749f1fe28de6bbfb9d91c60bff4eef0caaee5',
  });

  it('orders only after the trend member (SMA 10/30) has a value, and a long/flat rhythm', () => {
    const slow = sma(s.close, 30);
    expect(r.fills.length).toBeGreaterThan(20);
    let held = false;
    for (const f of r.fills) {
      expect(Number.isNaN(slow[f.barIndex - 1] as number)).toBe(false);
      expect(f.side).toBe(held ? 'SELL' : 'BUY');
      held = !held;
    }
  });

  it('a different correlation penalty or breaker changes the trades (the weights are live)', () => {
    expect(runGolden('weighted-combo', [s], { correlationPenalty: 0 }).tradeLog).not.toBe(r.tradeLog);
    expect(runGolden('weighted-combo', [s], { maxDrawdown: 0.5 }).tradeLog).not.toBe(r.tradeLog);
  });
});
