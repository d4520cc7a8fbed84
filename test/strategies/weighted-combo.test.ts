import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SignalWeights } from '../../src/strategy/SignalWeights.js';
import { HAS_SHARED_DATA } from '../support/sharedData.js';
import { ema, sma } from './support/indicatorsByHand.js';
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

  it('every order is the one an independent recomputation of members, weights and breakers decides', () => {
    const model = recomputeWeightedCombo(s.close, DEFAULTS);
    expect(model.decisions.length).toBeGreaterThan(20);
    // The rules were exercised, not only reproduced: breakers tripped, members disagreed.
    expect(model.trips).toBeGreaterThan(0);
    expect(model.splitBars).toBeGreaterThan(0);
    const orders = r.fills.map((f) => ({ bar: f.barIndex - 1, side: f.side }));
    expect(orders).toEqual(model.decisions);
  });

  it('a different correlation penalty or breaker changes the trades (the weights are live)', () => {
    expect(runGolden('weighted-combo', [s], { correlationPenalty: 0 }).tradeLog).not.toBe(r.tradeLog);
    expect(runGolden('weighted-combo', [s], { maxDrawdown: 0.5 }).tradeLog).not.toBe(r.tradeLog);
  });
});

/** weighted-combo's documented defaults (its schema), restated here on purpose. */
const DEFAULTS = {
  fast: 10,
  slow: 30,
  rsiPeriod: 14,
  oversold: 30,
  window: 96,
  sensitivity: 20,
  correlationPenalty: 1,
  maxDrawdown: 0.03,
  cooldown: 144,
  enter: 0.6,
  exit: 0.4,
};

/** MACD line (EMA12 − EMA26) from the 26th close on, and its EMA9 signal, stable from its 9th value. */
function macdByHand(close: ArrayLike<number>): {
  line: Float64Array;
  signal: Float64Array;
  stableFrom: number;
} {
  const fast = ema(close, 12).value;
  const slow = ema(close, 26).value;
  const line = new Float64Array(close.length).fill(Number.NaN);
  for (let i = 25; i < close.length; i++) line[i] = (fast[i] as number) - (slow[i] as number);
  const sig = ema(line.subarray(25), 9).value;
  const signal = new Float64Array(close.length).fill(Number.NaN);
  signal.set(sig, 25);
  return { line, signal, stableFrom: 25 + 8 };
}

/**
 * Wilder's RSI: the first average gain/loss is the mean of the first n changes, then each
 * new change weighs 1/n; 100 when there was no loss. NaN for the first n bars.
 */
function rsiByHand(close: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(close.length).fill(Number.NaN);
  let gain = 0;
  let loss = 0;
  for (let i = 1; i < close.length; i++) {
    const d = (close[i] as number) - (close[i - 1] as number);
    const g = d > 0 ? d : 0;
    const l = d > 0 ? 0 : -d;
    if (i <= n) {
      gain += g;
      loss += l;
      if (i < n) continue;
      gain /= n;
      loss /= n;
    } else {
      gain += (g - gain) / n;
      loss += (l - loss) / n;
    }
    out[i] = loss === 0 ? 100 : 100 - 100 / (gain / loss + 1);
  }
  return out;
}

/** Pearson correlation of two equally long samples; NaN when one is flat or shorter than 2. */
function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  if (n < 2) return Number.NaN;
  const ma = a.reduce((x, y) => x + y, 0) / n;
  const mb = b.reduce((x, y) => x + y, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += ((a[i] as number) - ma) * ((b[i] as number) - mb);
    saa += ((a[i] as number) - ma) ** 2;
    sbb += ((b[i] as number) - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : Number.NaN;
}

/**
 * weighted-combo re-derived from its description alone, with no code of the strategy or of
 * SignalWeights. Members: trend (fast SMA > slow SMA), momentum (MACD line > signal once the
 * signal is stable), reversion (long from RSI < oversold until RSI > 50). Each member earns
 * a virtual return (its previous wish × this bar's close-to-close return) and keeps a
 * virtual equity; one more than `maxDrawdown` below its peak is off for `cooldown` bars,
 * then restarts from a fresh peak. Weight = max(0, 1 + sensitivity × sum of its last
 * `window` virtual returns) ÷ (1 + penalty × mean over the others of max(0, correlation of
 * those windows)), zero while off; the combined score Σwx/Σw (0 when all weights are 0)
 * buys at ≥ enter while flat and sells at ≤ exit while long, once both SMAs and the MACD
 * signal have values. Returns the decision bars (the fill is at the next bar's open).
 */
function recomputeWeightedCombo(
  close: ArrayLike<number>,
  p: typeof DEFAULTS,
): { decisions: { bar: number; side: 'BUY' | 'SELL' }[]; trips: number; splitBars: number } {
  const fast = sma(close, p.fast);
  const slow = sma(close, p.slow);
  const macd = macdByHand(close);
  const rsi = rsiByHand(close, p.rsiPeriod);
  const rets: number[][] = [[], [], []];
  const equity = [1, 1, 1];
  const peak = [1, 1, 1];
  const off = [0, 0, 0];
  let last = [0, 0, 0];
  let reversion = false;
  let held = false;
  let trips = 0;
  let splitBars = 0;
  const decisions: { bar: number; side: 'BUY' | 'SELL' }[] = [];
  for (let i = 0; i < close.length; i++) {
    const c = close[i] as number;
    if (rsi[i]! < p.oversold) reversion = true;
    else if (rsi[i]! > 50) reversion = false;
    const ret = i === 0 ? 0 : c / (close[i - 1] as number) - 1;
    const wish = [
      fast[i]! > slow[i]! ? 1 : 0,
      i >= macd.stableFrom && macd.line[i]! > macd.signal[i]! ? 1 : 0,
      reversion ? 1 : 0,
    ];
    for (let m = 0; m < 3; m++) {
      const v = last[m]! * ret;
      rets[m]!.push(v);
      equity[m]! *= 1 + v;
      if (off[m]! > 0) {
        off[m]! -= 1;
        if (off[m] === 0) peak[m] = equity[m]!;
      } else {
        peak[m] = Math.max(peak[m]!, equity[m]!);
        if (equity[m]! < peak[m]! * (1 - p.maxDrawdown)) {
          off[m] = p.cooldown;
          trips++;
        }
      }
    }
    last = wish;
    const windows = rets.map((x) => x.slice(-p.window));
    const weight = windows.map((w, m) => {
      if (off[m]! > 0) return 0;
      const raw = Math.max(0, 1 + p.sensitivity * w.reduce((x, y) => x + y, 0));
      const others = [0, 1, 2].filter((k) => k !== m);
      const corr = others.map((k) => {
        const r = pearson(w, windows[k]!);
        return Number.isNaN(r) ? 0 : Math.max(0, r);
      });
      return raw / (1 + p.correlationPenalty * (corr.reduce((x, y) => x + y, 0) / others.length));
    });
    const sw = weight.reduce((x, y) => x + y, 0);
    const score = sw > 0 ? weight.reduce((x, w, m) => x + w * wish[m]!, 0) / sw : 0;
    if (score > 0 && score < 1) splitBars++;
    if (Number.isNaN(slow[i]!) || i < macd.stableFrom) continue;
    if (!held && score >= p.enter) {
      decisions.push({ bar: i, side: 'BUY' });
      held = true;
    } else if (held && score <= p.exit) {
      decisions.push({ bar: i, side: 'SELL' });
      held = false;
    }
  }
  return { decisions, trips, splitBars };
}
