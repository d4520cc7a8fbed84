import type { BacktestReport } from '../backtest/BacktestReport.js';

/**
 * What one backtest of an optimization reports: the statistics objectives rank by and the
 * trade log's SHA-256, which proves two runs of a combination (in a thread, in another
 * process, on another machine) traded identically.
 */
export interface ComboMetrics {
  readonly totalReturn: number;
  readonly cagr: number | null;
  readonly sharpe: number | null;
  readonly sortino: number | null;
  readonly calmar: number | null;
  readonly maxDrawdown: number;
  readonly winRate: number | null;
  readonly profitFactor: number | null;
  readonly expectancy: number | null;
  readonly trades: number;
  readonly exposure: number;
  readonly finalEquity: number;
  readonly tradeLogSha256: string;
}

/** The metrics of a finished backtest, keys in a fixed order (JSON compares byte for byte). */
export function metricsOf(r: BacktestReport): ComboMetrics {
  return {
    totalReturn: r.totalReturn,
    cagr: r.cagr,
    sharpe: r.sharpe,
    sortino: r.sortino,
    calmar: r.calmar,
    maxDrawdown: r.maxDrawdown,
    winRate: r.winRate,
    profitFactor: r.profitFactor,
    expectancy: r.expectancy,
    trades: r.trades,
    exposure: r.exposure,
    finalEquity: r.finalEquity,
    tradeLogSha256: r.tradeLogSha256,
  };
}
