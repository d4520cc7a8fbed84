import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/runBacktest.js';
import { toFixed } from '../../src/core/Fixed.js';
import { parseSizing } from '../../src/portfolio/Sizer.js';
import { findStrategy } from '../../src/strategies/registry.js';
import { HAS_SHARED_DATA } from '../support/sharedData.js';
import { ETH_BTC_5M, series } from './support/golden.js';

/**
 * The signal strategies of docs/strategies.md ("The seven original strategies") recomputed here
 * from the closes with the formulas that page gives — plain loops, no indicator library — and
 * compared order for order with the engine's run (fills at the signal bar's close, long/flat):
 * Wilder's RSI, EMAs seeded with the first close, the MACD signal line, Bollinger bands of the
 * population standard deviation, backtrader's cross.
 */
type Signal = 'long' | 'flat' | undefined;

/** backtrader's CrossOver: +1 / −1 when the sign of a − b flips against its last non-zero one. */
function crossOver(): (a: number, b: number) => number {
  let last = Number.NaN;
  return (a, b) => {
    if (Number.isNaN(a) || Number.isNaN(b)) return 0;
    const d = a - b;
    const before = last;
    if (d !== 0 || Number.isNaN(before)) last = d;
    if (Number.isNaN(before)) return 0;
    return before < 0 && d > 0 ? 1 : before > 0 && d < 0 ? -1 : 0;
  };
}

const asSignal = (x: number): Signal => (x > 0 ? 'long' : x < 0 ? 'flat' : undefined);

/** Bar indexes of the long/flat entries (+i) and exits (−i) the signals give. */
function longFlat(signals: readonly Signal[]): number[] {
  let long = false;
  const out: number[] = [];
  signals.forEach((s, i) => {
    if (s === 'long' && !long) out.push(i);
    else if (s === 'flat' && long) out.push(-i);
    else return;
    long = !long;
  });
  return out;
}

function sma(xs: readonly number[], n: number): number[] {
  return xs.map((_, i) =>
    i < n - 1 ? Number.NaN : xs.slice(i - n + 1, i + 1).reduce((a, b) => a + b, 0) / n,
  );
}

function ema(xs: readonly number[], n: number): number[] {
  const w = 2 / (n + 1);
  let prev: number | undefined;
  return xs.map((x) => (prev = prev === undefined ? x : x * w + prev * (1 - w)));
}

function wilderRsi(xs: readonly number[], n: number): number[] {
  const out = xs.map(() => Number.NaN);
  let gain = 0;
  let loss = 0;
  for (let i = 1; i < xs.length; i++) {
    const d = (xs[i] as number) - (xs[i - 1] as number);
    const g = d > 0 ? d : 0;
    const l = d > 0 ? 0 : -d;
    if (i < n) {
      gain += g;
      loss += l;
      continue;
    }
    if (i === n) {
      gain = (gain + g) / n;
      loss = (loss + l) / n;
    } else {
      gain = (gain * (n - 1) + g) / n;
      loss = (loss * (n - 1) + l) / n;
    }
    out[i] = loss === 0 ? 100 : 100 - 100 / (1 + gain / loss);
  }
  return out;
}

const byHand: Record<string, [Record<string, number>, (c: readonly number[]) => Signal[]]> = {
  'sma-cross': [
    { fast: 5, slow: 12 },
    (c) => {
      const [f, s, x] = [sma(c, 5), sma(c, 12), crossOver()];
      return c.map((_, i) => asSignal(x(f[i] as number, s[i] as number)));
    },
  ],
  'ema-cross': [
    { fast: 5, slow: 12 },
    (c) => {
      const [f, s, x] = [ema(c, 5), ema(c, 12), crossOver()];
      return c.map((_, i) => (i < 11 ? undefined : asSignal(x(f[i] as number, s[i] as number))));
    },
  ],
  rsi: [
    { period: 6, oversold: 30, overbought: 70 },
    (c) => {
      const [down, up] = [crossOver(), crossOver()];
      return wilderRsi(c, 6).map((r) => {
        const buy = down(r, 30) < 0;
        const sell = up(r, 70) > 0;
        return buy ? 'long' : sell ? 'flat' : undefined;
      });
    },
  ],
  macd: [
    { fast: 5, slow: 12, signal: 4 },
    (c) => {
      const [f, s] = [ema(c, 5), ema(c, 12)];
      const line = c.map((_, i) => (f[i] as number) - (s[i] as number)).slice(11);
      const signal = ema(line, 4);
      const x = crossOver();
      return c.map((_, i) => {
        const k = i - 11;
        return k < 3 ? undefined : asSignal(x(line[k] as number, signal[k] as number));
      });
    },
  ],
  bollinger: [
    { period: 10, k: 1.5 },
    (c) =>
      c.map((close, i) => {
        if (i < 9) return undefined;
        const w = c.slice(i - 9, i + 1);
        const mid = w.reduce((a, b) => a + b, 0) / 10;
        const sd = Math.sqrt(w.reduce((a, b) => a + (b - mid) ** 2, 0) / 10);
        return close < mid - 1.5 * sd ? 'long' : close > mid ? 'flat' : undefined;
      }),
  ],
};

describe.skipIf(!HAS_SHARED_DATA)('the original signal strategies against their formulas by hand', () => {
  for (const [id, [params, signals]] of Object.entries(byHand)) {
    it(`${id}: every order on ${ETH_BTC_5M} where the documented formula says`, () => {
      const s = series(ETH_BTC_5M);
      const closes = Array.from(s.close.subarray(0, s.length));
      const index = new Map(Array.from(s.ts.subarray(0, s.length), (t, i) => [t, i]));
      const tf = (s.ts[1] as number) - (s.ts[0] as number);
      const run = runBacktest({
        series: [s],
        strategy: findStrategy(id),
        params,
        initialCash: 1,
        commission: 0.001,
        sizing: parseSizing('percent:50', toFixed('0.001')),
        fill: { fillAt: 'close' },
      });
      // A fill at the signal bar's close carries that bar's close time.
      const got = run.fills.map((f) => {
        const i = index.get(f.ts - tf) as number;
        return f.side === 'BUY' ? i : -i;
      });
      const want = longFlat(signals(closes));
      expect(want.length).toBeGreaterThan(50);
      expect(got).toEqual(want);
    });
  }
});
