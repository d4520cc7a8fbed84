import type { Fixed } from '../../core/Fixed.js';
import { ZERO, add, fromNumber, toNumber } from '../../core/Fixed.js';
import type { TradingNode } from '../../node/TradingNode.js';
import type { EngineSnapshot, MarketDataSnapshot } from './EngineSnapshot.js';

/** What the snapshotter reads of a running engine. */
export interface SnapshotSource {
  readonly node: TradingNode;
  /** Wall time of the last closed bar or trade per symbol. */
  readonly lastData: ReadonlyMap<string, number>;
}

export interface EngineSnapshotterOptions {
  /** Symbols the engine trades: each gets a freshness series even before its first data. */
  readonly symbols: readonly string[];
  /** No data for this long is stale (the risk engine's `staleDataMs`, so both agree). */
  readonly staleAfterMs: number;
  readonly strategiesRunning: () => number;
  readonly now: () => number;
}

/**
 * Reads the engine's state for a scrape. The drawdown peak is the higher of the peak seen
 * here and the circuit breaker's persisted peak, so a restart does not make a drawdown
 * look smaller than the one the breaker acts on. When the breaker's peak moves down (an
 * operator's resume rebases it to the equity of that moment), the peak seen here follows:
 * otherwise the drawdown alerts kept paging on the old peak until the next restart.
 */
export class EngineSnapshotter {
  private peak = Number.NEGATIVE_INFINITY;
  private breakerPeak = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly engine: SnapshotSource,
    private readonly opts: EngineSnapshotterOptions,
  ) {}

  snapshot(): EngineSnapshot {
    const { node } = this.engine;
    const portfolio = node.portfolio;
    const ledger = portfolio.ledger;
    const equity = portfolio.equity();
    let pnl: Fixed = ledger.realizedPnl();
    let exposure = 0;
    let positions = 0;
    for (const pos of ledger.allPositions()) {
      if (pos.qty === ZERO) continue;
      positions++;
      // Valued as equity is (a perpetual at its mark), so PnL and equity move together.
      const mark = portfolio.valuationPrice(pos.symbol);
      if (mark === undefined) continue;
      pnl = add(pnl, ledger.unrealizedPnl(pos.symbol, fromNumber(mark)));
      exposure += Math.abs(toNumber(pos.qty)) * mark;
    }
    const breakerPeak = node.risk.circuitBreaker.anchors()?.peakEquity ?? Number.NEGATIVE_INFINITY;
    if (breakerPeak < this.breakerPeak) this.peak = breakerPeak;
    this.breakerPeak = breakerPeak;
    if (Number.isFinite(equity)) this.peak = Math.max(this.peak, breakerPeak, equity);
    const drawdown = this.peak > 0 && equity < this.peak ? 1 - equity / this.peak : 0;
    return {
      equity,
      pnl: toNumber(pnl),
      // A buy's fee on Binance spot is taken in the coin: feesPaid(currency) alone left every one out.
      fees: toNumber(ledger.feesInSettle(portfolio.currency)),
      feesUnvalued: [...ledger.feesUnvalued()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([currency, amount]) => ({ currency, amount: toNumber(amount) })),
      drawdown,
      exposure,
      positions,
      openOrders: node.oms.openOrders().length,
      strategiesRunning: this.opts.strategiesRunning(),
      riskState: node.risk.state,
      markets: this.markets(),
    };
  }

  private markets(): MarketDataSnapshot[] {
    const now = this.opts.now();
    const symbols = new Set([...this.opts.symbols, ...this.engine.lastData.keys()]);
    return [...symbols].sort().map((symbol) => {
      const at = this.engine.lastData.get(symbol);
      const lagMs = at === undefined ? undefined : Math.max(0, now - at);
      return {
        symbol,
        lagSeconds: lagMs === undefined ? undefined : lagMs / 1000,
        stale: lagMs === undefined || lagMs >= this.opts.staleAfterMs,
      };
    });
  }
}
