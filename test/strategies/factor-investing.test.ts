import { describe, it } from 'vitest';
import { HAS_SHARED_DATA } from '../support/sharedData.js';
import { decisionFinder, expectBasketDecisions, universeRun } from './support/basket.js';
import { itPinsTheTradeLog } from './support/golden.js';
import { periodTable } from './support/periods.js';
import type { PeriodTable } from './support/periods.js';

const PARAMS = { lookback: 288, top: 3, rebalanceEvery: 72, largeK: 3 };

/** The five candle factors of symbol k over the window ending at period p, by their definitions. */
function factors(t: PeriodTable, k: number, p: number): number[] {
  const c = t.close[k] as Float64Array;
  const o = t.open[k] as Float64Array;
  const v = t.volume[k] as Float64Array;
  const from = p - PARAMS.lookback;
  const n = PARAMS.lookback + 1;
  const rets: number[] = [];
  let up = 0;
  let flow = 0;
  let vol = 0;
  let recent = 0;
  const quarter = Math.floor(n / 4);
  for (let i = from; i <= p; i++) {
    const qv = (c[i] as number) * (v[i] as number);
    if (i > from) {
      rets.push((c[i] as number) / (c[i - 1] as number) - 1);
      if ((c[i] as number) > (c[i - 1] as number)) up += qv;
    }
    flow += qv;
    vol += v[i] as number;
    if (i > p - quarter) recent += qv;
  }
  let large = 0;
  for (let i = from; i <= p; i++)
    if ((v[i] as number) > (PARAMS.largeK * vol) / n)
      large += Math.sign((c[i] as number) - (o[i] as number)) * (v[i] as number);
  const m = rets.reduce((a, b) => a + b, 0) / rets.length;
  const sd = Math.sqrt(rets.reduce((a, b) => a + (b - m) ** 2, 0) / rets.length);
  return [
    (c[p] as number) / (c[from] as number) - 1,
    -sd,
    up / flow,
    recent / quarter / (flow / n) - 1,
    large / vol,
  ];
}

function zScores(xs: number[]): number[] {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
  return xs.map((x) => (sd > 0 ? (x - m) / sd : 0));
}

describe.skipIf(!HAS_SHARED_DATA)('factor-investing on the ten BTC pairs, 5m (golden)', () => {
  const { data, symbols, r } = universeRun('factor-investing', PARAMS);

  itPinsTheTradeLog(r, {
    filled: 189,
    sent: 189,
    finalEquity: 1.058512771008677,
    sha256: '56a723fe34e6f7c928f0c4977fcd577fc1f279b895de5aae9d5ee546c11b1f50',
  });

  it("holds the test's own top-3 by the equally weighted sum of the five factor z-scores", () => {
    const t = periodTable(data);
    const topAt = (p: number): string[] => {
      const f = symbols.map((_, k) => factors(t, k, p));
      const composite = symbols.map(() => 0);
      for (let j = 0; j < 5; j++)
        zScores(f.map((x) => x[j] as number)).forEach(
          (z, k) => (composite[k] = (composite[k] as number) + z),
        );
      return symbols
        .map((s, k) => [s, composite[k] as number] as const)
        .sort((a, b) => b[1] - a[1])
        .slice(0, PARAMS.top)
        .map(([s]) => s);
    };
    expectBasketDecisions(r, t, decisionFinder(t, PARAMS), topAt, { buys: 20, exits: 10 });
  });
});
