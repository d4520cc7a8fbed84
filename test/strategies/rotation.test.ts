import { describe, expect, it } from 'vitest';
import { HAS_SHARED_DATA } from '../support/sharedData.js';
import { decisionFinder, universeRun } from './support/basket.js';
import { itPinsTheTradeLog } from './support/golden.js';
import { fullExits, lastPeriodBefore, periodTable } from './support/periods.js';

const PARAMS = { lookback: 288, rebalanceEvery: 24, hysteresis: 0.5 };

describe.skipIf(!HAS_SHARED_DATA)('rotation on the ten BTC pairs, 5m (golden)', () => {
  const { data, symbols, r } = universeRun('rotation', PARAMS);

  itPinsTheTradeLog(r, {
    filled: 65,
    sent: 65,
    finalEquity: 0.8692024801928289,
    sha256: '4d8768f1e3f96a68e2b4bf8953db4e6de7563173af9cba4a1ac4a5e661055d2e',
  });

  it('holds one symbol at a time: each buy is the leader by return/(σ·√n) at its rebalance, with a positive score', () => {
    const t = periodTable(data);
    const score = (k: number, p: number): number => {
      const c = t.close[k] as Float64Array;
      const rets: number[] = [];
      for (let i = p - PARAMS.lookback + 1; i <= p; i++)
        rets.push((c[i] as number) / (c[i - 1] as number) - 1);
      const m = rets.reduce((a, b) => a + b, 0) / rets.length;
      const sd = Math.sqrt(rets.reduce((a, b) => a + (b - m) ** 2, 0) / rets.length);
      return ((c[p] as number) / (c[p - PARAMS.lookback] as number) - 1) / sd / Math.sqrt(rets.length);
    };
    const rebalanceBefore = decisionFinder(t, PARAMS);
    const buys = r.fills.filter((f) => f.side === 'BUY');
    expect(buys.length).toBeGreaterThan(10);
    for (const f of buys) {
      const q = rebalanceBefore(lastPeriodBefore(t.ts, f));
      const scores = symbols.map((_, k) => score(k, q));
      const best = Math.max(...scores);
      expect(best).toBeGreaterThan(0);
      expect(scores[symbols.indexOf(f.symbol)], `buy of ${f.symbol}`).toBeCloseTo(best, 9);
    }
    // One holding at a time: a new symbol is bought only once the previous one is sold out.
    const held = new Set<string>();
    const exits = new Set(fullExits(r.fills));
    for (const f of r.fills) {
      if (f.side === 'BUY') {
        held.add(f.symbol);
        expect(held.size).toBe(1);
      } else if (exits.has(f)) held.delete(f.symbol);
    }
  });
});
