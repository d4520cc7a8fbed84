import { describe, expect, it } from 'vitest';
import { HAS_SHARED_DATA } from '../support/sharedData.js';
import { UNIVERSE, expectPinned, runGolden, series } from './support/golden.js';
import { fullExits, lastPeriodBefore, periodTable } from './support/periods.js';

const PARAMS = { lookback: 288, top: 3, rebalanceEvery: 48, absolute: true };

describe.skipIf(!HAS_SHARED_DATA)('momentum-rank on the ten BTC pairs, 5m (golden)', () => {
  const data = UNIVERSE.map(series);
  const symbols = data.map((s) => s.symbol);
  const r = runGolden('momentum-rank', data, PARAMS);

  it('pins the trade log', () => {
    expectPinned(r, {
      filled: 201,
      sent: 201,
      finalEquity: 0.9433373281239763,
      sha256: '7df8d7c7e42fbdd149483787007eac6a2f7203e0e21972a714843f03b6dcca46',
    });
    expect(r.report.ordersDenied).toBe(0);
  });

  it("buys only the test's own top-3 by 288-bar return at the last rebalance, sells out only what left it", () => {
    const t = periodTable(data);
    const topAt = (p: number): string[] => {
      const rets = symbols.map((sym, k) => {
        const c = t.close[k] as Float64Array;
        return [sym, (c[p] as number) / (c[p - PARAMS.lookback] as number) - 1] as const;
      });
      return [...rets]
        .sort((a, b) => b[1] - a[1])
        .slice(0, PARAMS.top)
        .filter(([, v]) => v > 0)
        .map(([sym]) => sym);
    };
    const ready = (p: number): boolean => t.seen.every((n) => (n[p] as number) >= PARAMS.lookback + 1);
    const rebalanceBefore = (p: number): number => {
      let q = p;
      while (q >= 0 && !((q + 1) % PARAMS.rebalanceEvery === 0 && ready(q))) q--;
      return q;
    };
    const buys = r.fills.filter((f) => f.side === 'BUY');
    expect(buys.length).toBeGreaterThan(20);
    for (const f of buys) {
      const q = rebalanceBefore(lastPeriodBefore(t.ts, f));
      expect(topAt(q), `buy of ${f.symbol} at ${f.ts}`).toContain(f.symbol);
    }
    const exits = fullExits(r.fills);
    expect(exits.length).toBeGreaterThan(10);
    for (const f of exits) {
      const q = rebalanceBefore(lastPeriodBefore(t.ts, f));
      expect(topAt(q), `exit of ${f.symbol} at ${f.ts}`).not.toContain(f.symbol);
    }
  });
});
