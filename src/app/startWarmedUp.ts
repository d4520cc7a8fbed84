import type { Logger } from 'pino';
import type { RecentBars } from '../api/engine/RecentBars.js';
import type { AppConfig } from '../config/configSchema.js';
import type { Clock } from '../kernel/Clock.js';
import type { TradingNode } from '../node/TradingNode.js';
import { CandleStore } from '../storage/sqlite/CandleStore.js';
import type { SqliteDatabase } from '../storage/sqlite/openDatabase.js';
import type { DeploymentPlan } from './planDeployments.js';
import type { MarketDataChoice } from './selectMarketData.js';
import { warmUpStrategies } from './warmUpStrategies.js';
import type { WarmUpProgress } from './WarmUpProgress.js';

/** What the start's warm-up needs of the runtime (the TradingRuntime is one). */
export interface WarmUpHost {
  readonly config: AppConfig;
  readonly node: TradingNode;
  readonly market: MarketDataChoice;
  readonly db: SqliteDatabase;
  readonly clock: Clock;
  readonly log: Logger;
  /** The dashboard's recent bars: they show the history too. */
  readonly recentBars: RecentBars;
  /** The start's warm-up, for the API's status. */
  readonly warmUpProgress: WarmUpProgress;
}

/** Why a warm-up still fetching is abandoned. */
export interface WarmUpStops {
  /** Aborted when the engine stops. */
  readonly stop: AbortSignal;
  /** A stop asked for while the engine starts (SIGINT during a long warm-up). */
  readonly stopAsked: AbortSignal | undefined;
}

/**
 * Strategies start, and on exchange market data with `marketData.warmupBars` > 0 are warmed up
 * on recent history before live data flows (the caller starts the feed after this).
 */
export async function startWarmedUp(
  host: WarmUpHost,
  plan: DeploymentPlan,
  stops: WarmUpStops,
): Promise<void> {
  const warm = host.market.source === 'exchange' && host.config.marketData.warmupBars > 0;
  // Before onStart: timers strategies set there are armed only once warm-up ends.
  if (warm) host.node.beginWarmUp();
  host.node.start();
  if (warm) {
    host.warmUpProgress.begin(host.clock.now());
    try {
      await warmUp(host, plan, stops);
    } finally {
      host.node.endWarmUp();
    }
  }
}

/**
 * Recent closed history of every strategy's symbols, from the exchange (else stored
 * candles), through the node's warm-up path: strategies and the dashboard's recent bars see
 * it; the venue, the portfolio's prices, risk, breakers and equity samples do not.
 */
async function warmUp(
  host: WarmUpHost,
  plan: DeploymentPlan,
  { stop, stopAsked }: WarmUpStops,
): Promise<void> {
  const sandbox = host.config.exchange.sandbox;
  const result = await warmUpStrategies({
    node: host.node,
    deployments: plan.deployments.map((p) => p.deployment),
    baseTimeframe: plan.baseTimeframe,
    bars: host.config.marketData.warmupBars,
    exchange: host.market.exchange,
    // Testnet candles are not the market's: they are neither stored nor taken from the store.
    candles: sandbox ? undefined : new CandleStore(host.db),
    exchangeName: host.market.exchange?.id ?? host.config.exchange.id,
    clock: host.clock,
    log: host.log,
    onBar: (bar) => {
      host.recentBars.add(bar);
      host.warmUpProgress.onBar(bar);
    },
    timeoutMs: host.config.marketData.warmupTimeoutMs,
    signal: stopAsked === undefined ? stop : AbortSignal.any([stop, stopAsked]),
  });
  if (!result.stopped) host.warmUpProgress.finish(result, host.clock.now());
}
