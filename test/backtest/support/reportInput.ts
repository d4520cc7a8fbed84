import type { ReportInput } from '../../../src/backtest/BacktestReport.js';

const DAY = 86_400_000;

/** A report input of ten flat daily points and no trading; `over` replaces any field. */
export function reportInput(over: Partial<ReportInput> = {}): ReportInput {
  const n = 10;
  const ts = Float64Array.from({ length: n }, (_, i) => Date.UTC(2024, 0, 1) + i * DAY);
  return {
    strategy: 'sma-cross',
    params: { slow: 30, fast: 10 },
    symbols: ['BTC/USDT'],
    timeframe: '1d',
    dataFiles: ['data/btc.csv'],
    seed: 42,
    fill: 'next-open',
    commission: 0.001,
    makerFee: 0.001,
    takerFee: 0.001,
    slippage: { kind: 'none' },
    initialCash: 10_000,
    currency: 'USDT',
    curve: { ts, equity: new Float64Array(n).fill(10_000) },
    fills: [],
    trips: [],
    ordersFilled: 0,
    ordersTotal: 0,
    ordersDenied: 0,
    ordersOpen: 0,
    feesPaid: 0,
    barsInMarket: 0,
    finalEquity: 10_000,
    finalEquityExact: '10000.00000000',
    tradeLog: '',
    warnings: [],
    ...over,
  };
}
