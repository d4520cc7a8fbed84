import { describe, expect, it } from 'vitest';
import { HAS_SHARED_DATA } from '../support/sharedData.js';
import { UNIVERSE, expectPinned, runGolden, series } from './support/golden.js';
import { fullExits, lastPeriodBefore, periodTable } from './support/periods.js';

const PARAMS = { lookback: 12, bottom: 3, rebalanceEvery: 12 };

describe.skipIf(!HAS_SHARED_DATA)('cross-sectional-reversion on the ten BTC pairs, 5m (golden)', () => {
  const data = UNIVERSE.map(series);
  const symbols = data.map((s) => s.symbol);
  const r = runGolden('cross-sectional-reversion', data, PARAMS);

  it('pins the trade log', () => {
    expectPinned(r, {
      filled: 2510,
      sent: 2510,
      finalEquity: 1.1383367363104866,
      sha256: '32e0cef1f9c87badf45d37a604cd96179cbc9c9367371bf6990fbb031401e450',
    });
    expect(r.report.ordersDenied).toBe(0);
  });

  it("buys only the test's own 3 worst 12-bar returns below the universe mean; sells out only the others", () => {
    const t = periodTable(data);
    const losersAt = (p: number): string[] => {
      const rets = symbols.map((sym, k) => {
        const c = t.close[k] as Float64Array;
        return [sym, (c[p] as number) / (c[p - PARAMS.lookback] as number) - 1] as const;
      });
      const mean = rets.reduce((a, [, v]) => a + v, 0) / rets.length;
      return [...rets]
        .sort((a, b) => a[1] - b[1])
        .slice(0, PARAMS.bottom)
        .filter(([, v]) => v < mean)
        .map(([sym]) => sym);
    };
    const ready = (p: number): boolean => t.seen.every((n) => (n[p] as number) >= PARAMS.lookback + 1);
    const rebalanceBefore = (p: number): number => {
      let q = p;
      while (q >= 0 && !((q + 1) % PARAMS.rebalanceEvery === 0 && ready(q))) q--;
      return q;
    };
    const buys = r.fills.filter((f) => f.side === 'BUY');
    expect(buys.length).toBeGreaterThan(100);
    for (const f of buys) expect(losersAt(rebalanceBefore(lastPeriodBefore(t.ts, f)))).toContain(f.symbol);
    const exits = fullExits(r.fills);
    expect(exits.length).toBeGreaterThan(100);
    for (const f of exits)
      expect(losersAt(rebalanceBefore(lastPeriodBefore(t.ts, f)))).not.toContain(f.symbol);
  });
});
