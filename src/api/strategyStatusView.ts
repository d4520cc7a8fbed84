import type { StrategyInfo } from '../node/TradingNode.js';

/** Why an instance was quarantined, as the API and the status report show it. */
export interface StrategyFailureView {
  readonly code: string;
  readonly message: string;
  readonly hook: string;
  readonly symbol: string | null;
  /** Engine time (epoch ms) of the bar or event it was handling. */
  readonly at: number;
}

/**
 * Whether an instance runs, was stopped, or failed (quarantined because a handler threw), and
 * why it failed: one reading for GET /strategies and GET /status, so the dashboard and an
 * operator polling either see the same. `engineStopped`: a stopped engine runs no strategy.
 */
export function strategyStatusView(
  s: StrategyInfo,
  engineStopped = false,
): { status: 'running' | 'stopped' | 'failed'; failure: StrategyFailureView | null } {
  const f = s.failure;
  const status = s.running && !engineStopped ? 'running' : f === undefined ? 'stopped' : 'failed';
  return {
    status,
    failure:
      f === undefined
        ? null
        : { code: f.error.code, message: f.error.message, hook: f.hook, symbol: f.symbol ?? null, at: f.ts },
  };
}
