import { expect, it } from 'vitest';
import type { BacktestConfig, BacktestResult } from '../../../src/backtest/runBacktest.js';
import { runBacktest } from '../../../src/backtest/runBacktest.js';
import { toFixed } from '../../../src/core/Fixed.js';
import { loadBarSeries } from '../../../src/data/loadBarSeries.js';
import type { BarSeries } from '../../../src/model/BarSeries.js';
import { parseSizing } from '../../../src/portfolio/Sizer.js';
import { findStrategy } from '../../../src/strategies/registry.js';
import { sharedFile } from '../../support/sharedData.js';

/** The ten BTC-quoted pairs of shared/data/crypto/spot-5m: the multi-symbol universe. */
export const UNIVERSE = ['ADA', 'DASH', 'ETC', 'ETH', 'LTC', 'NXT', 'TRX', 'XLM', 'XMR', 'ZEC'].map(
  (b) => `crypto/spot-5m/${b}_BTC-5m.csv`,
);
export const ETH_BTC_5M = 'crypto/spot-5m/ETH_BTC-5m.csv';
export const COMMISSION = 0.001;

const cache = new Map<string, BarSeries>();

/** A shared data file as a series (loaded once per test file). */
export function series(file: string): BarSeries {
  let s = cache.get(file);
  if (!s) {
    s = loadBarSeries(sharedFile(file)).series;
    cache.set(file, s);
  }
  return s;
}

/** What a golden test pins: orders filled and sent, final equity and the trade log's SHA-256. */
export interface Pinned {
  readonly filled: number;
  readonly sent: number;
  readonly finalEquity: number;
  readonly sha256: string;
}

/**
 * Runs a built-in through the real backtest runner (risk, OMS, simulated venue with
 * next-open fills, exact ledger): 1 unit of the quote currency, 0.1 % commission, buys
 * without a quantity sized at 95 % of equity in steps of 0.001.
 */
export function runGolden(
  id: string,
  data: readonly BarSeries[],
  params: Record<string, unknown> = {},
  extra: Partial<BacktestConfig> = {},
): BacktestResult {
  return runBacktest({
    series: data,
    strategy: findStrategy(id),
    params,
    initialCash: 1,
    commission: COMMISSION,
    sizing: parseSizing('percent:95', toFixed('0.001')),
    ...extra,
  });
}

/** The pinned figures of a run, to compare with toEqual (equity to 1e-9 relative). */
export function pinnedOf(r: BacktestResult): Pinned {
  return {
    filled: r.report.orders,
    sent: r.report.ordersTotal,
    finalEquity: r.report.finalEquity,
    sha256: r.report.tradeLogSha256,
  };
}

/** Bar index of `ts` in a series (binary search); −1 when absent. */
export function indexOfTs(s: BarSeries, ts: number): number {
  let lo = 0;
  let hi = s.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = s.ts[mid] as number;
    if (v === ts) return mid;
    if (v < ts) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * Asserts the pinned figures. The pins were recorded from one run; the independent checks
 * beside each golden test are what make them honest.
 */
export function expectPinned(r: BacktestResult, pinned: Pinned): void {
  const got = pinnedOf(r);
  if (process.env['QTS_PRINT_PINS'] === '1')
    process.stderr.write(`PIN ${r.report.strategy} ${JSON.stringify(got)}\n`);
  expect({ ...got, finalEquity: Number(got.finalEquity.toPrecision(12)) }).toEqual({
    ...pinned,
    finalEquity: Number(pinned.finalEquity.toPrecision(12)),
  });
}

/** The "pins the trade log" test of a golden run: the pinned figures, and no order the risk engine denied. */
export function itPinsTheTradeLog(r: BacktestResult, pinned: Pinned): void {
  it('pins the trade log', () => {
    expectPinned(r, pinned);
    expect(r.report.ordersDenied).toBe(0);
  });
}
