import type { Numeric } from '../core/Fixed.js';
import { toFixed } from '../core/Fixed.js';
import type { TestClock } from '../kernel/Clock.js';
import type { Instrument } from '../model/Instrument.js';
import { TradingNode } from '../node/TradingNode.js';
import { slippedBuyPrice } from '../sim/FillModel.js';
import type { FillModelConfig } from '../sim/SimulatedVenue.js';
import { DEFAULT_FILL_MODEL, SimulatedVenue } from '../sim/SimulatedVenue.js';
import type { SizingSpec } from '../portfolio/Sizer.js';
import type { RiskLimits } from '../risk/preTradeRules.js';
import { FuturesRun } from './FuturesRun.js';
import type { FuturesBacktestConfig } from './FuturesRun.js';
import type { StrategyWarnings } from './StrategyWarnings.js';

/** What of a backtest's configuration (BacktestConfig) its engine is built from. */
export interface EngineSettings {
  readonly strategy: { readonly id: string };
  readonly initialCash: Numeric;
  readonly commission?: number;
  readonly makerFee?: number;
  readonly takerFee?: number;
  readonly fill?: Partial<FillModelConfig>;
  readonly sizing: SizingSpec;
  readonly seed?: number;
  readonly riskLimits?: RiskLimits;
  readonly futures?: FuturesBacktestConfig;
}

/**
 * Closed orders the OMS and the venue of a backtest keep for lookups (at least). Live modes
 * keep 1024 with the journal behind them; a backtest has no journal, and every order kept
 * longer than it is used survives the collector's scavenges and gets copied and promoted:
 * with 1024, a 100k-bar optimizer run kept its whole order history alive (~2 KB an order).
 */
const BACKTEST_ORDER_MEMORY = 128;

/**
 * The node and its simulated venue. Built apart from the bar loop on purpose: closures
 * made here (the venue's instrument lookup) stay reachable from the node the result
 * returns, and would otherwise keep the run's equity curve alive with them.
 */
export function buildEngine(
  cfg: EngineSettings,
  instruments: readonly Instrument[],
  currency: string,
  clock: TestClock,
  warnings: StrategyWarnings,
): { node: TradingNode; venue: SimulatedVenue; futures: FuturesRun | undefined; fill: FillModelConfig } {
  const { maker, taker } = feeRates(cfg);
  const fill: FillModelConfig = {
    ...DEFAULT_FILL_MODEL,
    ...cfg.fill,
    // One rate for both sides may override the venue's (as it always did); two different
    // rates must not, or a maker fill would pay the taker's rate: the instruments carry them.
    commission: maker !== undefined && maker === taker ? toFixed(maker) : null,
  };
  const sizingPrice = slippedBuyPrice(fill);
  const node = new TradingNode({
    clock,
    instruments,
    currency,
    initialCash: { [currency]: cfg.initialCash },
    sizing: cfg.sizing,
    ...(sizingPrice === undefined ? {} : { sizingPrice }),
    closedOrderMemory: BACKTEST_ORDER_MEMORY,
    logSink: warnings.sink,
    ...(cfg.riskLimits === undefined ? {} : { riskLimits: cfg.riskLimits }),
  });
  const futures =
    cfg.futures === undefined
      ? undefined
      : new FuturesRun(cfg.futures, node, instruments, currency, cfg.strategy.id);
  const venue = new SimulatedVenue({
    clock,
    instrument: (s) => node.instrument(s),
    funds: node.portfolio,
    config: fill,
    seed: cfg.seed ?? 0,
    memory: BACKTEST_ORDER_MEMORY,
    ...(futures === undefined ? {} : futures.venueOptions()),
  });
  venue.setSink(node.connect(venue));
  warnings.watch(node.bus);
  return { node, venue, futures, fill };
}

/** The maker and taker rates of a run: each its own override, else the commission, else the venue's. */
export function feeRates(cfg: EngineSettings): { maker: number | undefined; taker: number | undefined } {
  return { maker: cfg.makerFee ?? cfg.commission, taker: cfg.takerFee ?? cfg.commission };
}
