import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/runBacktest.js';
import { randomWalkSeries } from '../../src/data/syntheticSeries.js';
import { caught } from '../data/caught.js';
import { smaCrossConfig } from './support/smaCrossConfig.js';

const walk = (symbol: string, timeframe: string, seed: number) =>
  randomWalkSeries({ symbol, timeframe, length: 200, seed });

describe('runBacktest refuses series it cannot run as given', () => {
  it('no series at all', () => {
    expect(caught(() => runBacktest(smaCrossConfig([]))).code).toBe('ERR_BACKTEST_NO_DATA');
  });

  it('series of different timeframes', () => {
    const e = caught(() =>
      runBacktest(smaCrossConfig([walk('BTC/USDT', '1m', 1), walk('ETH/USDT', '5m', 2)])),
    );
    expect(e.code).toBe('ERR_BACKTEST_TIMEFRAMES');
    expect(e.message).toContain('ETH/USDT is 5m, expected 1m');
  });

  it('two series of one symbol, which would drive its instrument twice per bar', () => {
    const e = caught(() =>
      runBacktest(
        smaCrossConfig([walk('BTC/USDT', '1m', 1), walk('ETH/USDT', '1m', 2), walk('BTC/USDT', '1m', 3)]),
      ),
    );
    expect(e.code).toBe('ERR_BACKTEST_DUPLICATE_SYMBOL');
    expect(e.message).toBe('BTC/USDT is given twice: one series per symbol');
  });

  it('a symbol that names no pair (a candle file named prices.csv), which has no quote currency', () => {
    const e = caught(() => runBacktest(smaCrossConfig([walk('PRICES', '1m', 1)])));
    expect(e.code).toBe('ERR_BACKTEST_SYMBOL');
    expect(e.message).toContain('PRICES is not a BASE/QUOTE symbol');
  });

  it('runs the same symbols once each', () => {
    const r = runBacktest(smaCrossConfig([walk('BTC/USDT', '1m', 1), walk('ETH/USDT', '1m', 2)]));
    expect(r.report.symbols).toEqual(['BTC/USDT', 'ETH/USDT']);
  });
});
