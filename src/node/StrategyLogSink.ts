/** Where strategy log lines go: a backtest may drop them, a running service sends them to pino. */
export type StrategyLogSink = (
  level: 'debug' | 'info' | 'warn' | 'error',
  strategyId: string,
  msg: string,
  data: Record<string, unknown> | undefined,
  ts: number,
) => void;

/** Keeps nothing (default for backtests: millions of lines would dominate the run). */
export const discardLogs: StrategyLogSink = () => {};
