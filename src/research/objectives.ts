import { QtsError } from '../core/QtsError.js';
import type { ComboMetrics } from './ComboMetrics.js';

/** What an optimization ranks combinations by. */
export interface Objective {
  readonly id: string;
  readonly label: string;
  /** False for statistics where less is better (drawdown). */
  readonly maximize: boolean;
  readonly value: (m: ComboMetrics) => number | null;
}

/** The objectives users can choose, by id (`--objective`). */
export const OBJECTIVES: readonly Objective[] = [
  { id: 'sharpe', label: 'Sharpe', maximize: true, value: (m) => m.sharpe },
  { id: 'sortino', label: 'Sortino', maximize: true, value: (m) => m.sortino },
  { id: 'calmar', label: 'Calmar', maximize: true, value: (m) => m.calmar },
  { id: 'return', label: 'Total return', maximize: true, value: (m) => m.totalReturn },
  { id: 'cagr', label: 'CAGR', maximize: true, value: (m) => m.cagr },
  { id: 'profit-factor', label: 'Profit factor', maximize: true, value: (m) => m.profitFactor },
  { id: 'win-rate', label: 'Win rate', maximize: true, value: (m) => m.winRate },
  { id: 'expectancy', label: 'Expectancy', maximize: true, value: (m) => m.expectancy },
  // A combination that never held a position has no drawdown to speak of, not the best one:
  // ranked as 0 %, "never trade" would win every drawdown search.
  {
    id: 'max-drawdown',
    label: 'Max drawdown',
    maximize: false,
    value: (m) => (m.exposure > 0 ? m.maxDrawdown : null),
  },
  { id: 'final-equity', label: 'Final equity', maximize: true, value: (m) => m.finalEquity },
];

/** The objective with this id; an unknown id fails listing the known ones. */
export function findObjective(id: string): Objective {
  const found = OBJECTIVES.find((o) => o.id === id);
  if (!found) {
    throw new QtsError(
      'ERR_OPTIMIZE_UNKNOWN_OBJECTIVE',
      `unknown objective "${id}"; available: ${OBJECTIVES.map((o) => o.id).join(', ')}`,
    );
  }
  return found;
}

/**
 * Orders two objective values best first. An undefined statistic (null: no trades, no
 * volatility) ranks below every number, so a strategy that never traded never "wins".
 */
export function compareObjective(objective: Objective, a: number | null, b: number | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  return objective.maximize ? b - a : a - b;
}

/** Rows sorted best first by objective, ties broken by grid index so the order never depends on timing. */
export function rankByObjective<T extends { readonly index: number; readonly objective: number | null }>(
  objective: Objective,
  rows: readonly T[],
): T[] {
  return [...rows].sort((a, b) => compareObjective(objective, a.objective, b.objective) || a.index - b.index);
}
