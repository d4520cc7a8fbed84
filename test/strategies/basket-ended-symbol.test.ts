import { describe, expect, it } from 'vitest';
import type { BacktestResult } from '../../src/backtest/runBacktest.js';
import { sliceSeries } from '../../src/data/sliceSeries.js';
import type { BarSeries } from '../../src/model/BarSeries.js';
import { GONE_AFTER_PERIODS } from '../../src/strategy/TimedCrossSection.js';
import { HAS_SHARED_DATA } from '../support/sharedData.js';
import { UNIVERSE, runGolden, series } from './support/golden.js';

/**
 * Basket strategies over a universe where one symbol's data ends half way (a delisting, or
 * a feed that died): the rest must go on being ranked and rebalanced, and the run must not
 * depend on the order the series were given in.
 */
const FIVE_MIN = 300_000;
const FULL = ['ETH', 'LTC', 'NXT', 'XLM'].map((b) => `crypto/spot-5m/${b}_BTC-5m.csv`);

function universe(): { data: BarSeries[]; endTs: number; lastTs: number } {
  const full = FULL.map(series);
  const ltc = full[1] as BarSeries;
  const endTs = ltc.ts[Math.floor(ltc.length / 2)] as number;
  const data = full.map((s) => (s === ltc ? sliceSeries(s, undefined, endTs) : s));
  return { data, endTs, lastTs: (full[0] as BarSeries).ts[(full[0] as BarSeries).length - 1] as number };
}

/** Fills in a canonical order, without what only names the replay (trade ids, bar indices). */
function canonicalFills(r: BacktestResult): string[] {
  return r.fills
    .map((f) => `${f.ts} ${f.symbol} ${f.orderId} ${f.side} ${f.quantity} ${f.price} ${f.fee}`)
    .sort();
}

const CASES = [
  { id: 'momentum-rank', params: { lookback: 48, top: 2, rebalanceEvery: 24, absolute: false } },
  { id: 'factor-investing', params: { lookback: 48, top: 2, rebalanceEvery: 24 } },
] as const;

describe.skipIf(!HAS_SHARED_DATA)('basket strategies when one symbol ends early', () => {
  for (const { id, params } of CASES) {
    describe(id, () => {
      const { data, endTs, lastTs } = universe();
      const r = runGolden(id, data, params);

      it('keeps rebalancing the others until the end of the data', () => {
        const after = r.fills.filter((f) => f.ts > endTs + GONE_AFTER_PERIODS * FIVE_MIN);
        // Half the run, a decision every 2 hours: dozens of trades, and some in the last tenth.
        expect(after.length).toBeGreaterThan(20);
        expect(after.some((f) => f.ts > lastTs - (lastTs - endTs) / 10)).toBe(true);
        expect(after.every((f) => f.symbol !== 'LTC/BTC')).toBe(true);
        expect(r.report.ordersDenied).toBe(0);
        // The report (and the CLI after the run) says why LTC stopped trading, with the bar time.
        expect(r.report.warnings.filter((w) => w.includes('LTC/BTC has had no bar'))).toHaveLength(1);
        expect(r.report.warnings.find((w) => w.includes('LTC/BTC'))).toMatch(
          new RegExp(`^${id} at \\d{4}-\\d\\d-\\d\\dT`),
        );
      });

      it('trades the same whatever the order of the series', () => {
        const want = canonicalFills(r);
        for (const order of [[...data].reverse(), [data[2], data[0], data[3], data[1]] as BarSeries[]]) {
          const other = runGolden(id, order, params);
          expect(canonicalFills(other)).toEqual(want);
          expect(other.report.finalEquity).toBe(r.report.finalEquity);
          // Bars of one time replay in symbol order (mergeByTime): the log is the same byte for byte.
          expect(other.report.tradeLogSha256).toBe(r.report.tradeLogSha256);
        }
      });
    });
  }

  it('momentum-rank trades the same on the ten BTC pairs (with gaps) given in reverse order', () => {
    const params = { lookback: 288, top: 3, rebalanceEvery: 48, absolute: true };
    const data = UNIVERSE.map(series);
    const a = runGolden('momentum-rank', data, params);
    const b = runGolden('momentum-rank', [...data].reverse(), params);
    expect(canonicalFills(b)).toEqual(canonicalFills(a));
    expect(b.report.tradeLogSha256).toBe(a.report.tradeLogSha256);
  });
});
