import type { EngineStatus } from '../api/EngineStatus.js';
import { strategyStatusView } from '../api/strategyStatusView.js';
import { ZERO, formatFixed, toNumber } from '../core/Fixed.js';
import type { TradingNode } from '../node/TradingNode.js';
import type { RiskStateRecord } from '../storage/sqlite/RiskStateStore.js';
import type { MarketDataChoice } from './selectMarketData.js';
import type { WarmUpProgress } from './WarmUpProgress.js';

/** What a running engine reports of itself. */
export interface EngineStatusInput {
  readonly mode: 'shadow' | 'live';
  readonly market: MarketDataChoice;
  readonly startedAt: number;
  readonly now: number;
  readonly node: TradingNode;
  /** The persisted trading state: its reason is what the operator reads. */
  readonly risk: RiskStateRecord | undefined;
  readonly warmUpProgress: WarmUpProgress;
  /** A stopped engine runs no strategy, whatever each strategy's own flag says. */
  readonly stopped: boolean;
}

/** The engine's status for the API and the dashboard: account, open positions, strategies. */
export function engineStatusOf({
  mode,
  market,
  startedAt,
  now,
  node,
  risk,
  warmUpProgress,
  stopped,
}: EngineStatusInput): EngineStatus {
  const p = node.portfolio;
  return {
    mode,
    marketData: { source: market.source, detail: market.detail },
    startedAt,
    now,
    tradingState: node.risk.state,
    tradingStateReason: risk?.reason ?? '',
    currency: p.currency,
    equity: p.equity(),
    cash: formatFixed(p.cash()),
    positions: p.ledger
      .allPositions()
      .filter((pos) => pos.qty !== ZERO)
      .map((pos) => ({
        symbol: pos.symbol,
        qty: formatFixed(pos.qty),
        avgPrice: toNumber(pos.costBasis) / toNumber(pos.qty),
        lastPrice: p.lastPrice(pos.symbol) ?? null,
      })),
    openOrders: node.oms.openOrders().length,
    warmUp: warmUpProgress.status(),
    strategies: node.strategyInfos().map((s) => ({
      id: s.id,
      strategy: s.strategyClass.id,
      symbols: s.symbols,
      timeframe: s.timeframe,
      running: s.running && !stopped,
      ...strategyStatusView(s, stopped),
      warmUp: warmUpProgress.forStrategy(s),
    })),
  };
}
