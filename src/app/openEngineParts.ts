import type { Logger } from 'pino';
import type { AppConfig } from '../config/configSchema.js';
import type { LiveClock } from '../kernel/LiveClock.js';
import type { AuditSink } from '../monitor/AuditSink.js';
import type { TradingNode } from '../node/TradingNode.js';
import { connectVenue } from './connectVenue.js';
import { EngineFaults } from './EngineFaults.js';
import type { RuntimeStorage } from './openRuntimeStorage.js';
import type { DeploymentPlan } from './planDeployments.js';
import { releaseUnbuilt } from './releaseUnbuilt.js';
import { resumeNode } from './resumeNode.js';
import type { RuntimeDeps } from './RuntimeDeps.js';
import type { RuntimeMarketData } from './RuntimeMarketData.js';
import type { RuntimeVariant } from './RuntimeVariant.js';
import type { RuntimeVenue } from './RuntimeVenue.js';
import type { MarketDataChoice } from './selectMarketData.js';
import type { StrategyFailureReporter } from './StrategyFailureReporter.js';

/** What the start has set up before the engine's parts (see TradingRuntime.start). */
export interface EnginePartsInput {
  readonly config: AppConfig;
  readonly variant: RuntimeVariant;
  readonly log: Logger;
  readonly audit: AuditSink;
  readonly clock: LiveClock;
  readonly plan: DeploymentPlan;
  readonly storage: RuntimeStorage;
  /** Opened here, before the runtime it will feed exists. */
  readonly marketData: RuntimeMarketData;
  readonly failures: StrategyFailureReporter;
  readonly exchangeFactory: RuntimeDeps['exchangeFactory'];
}

/** What a runtime is built on. */
export interface EngineParts {
  readonly market: MarketDataChoice;
  readonly node: TradingNode;
  readonly venue: RuntimeVenue;
  readonly faults: EngineFaults;
}

/**
 * Opens an engine's parts, each after the one it needs: market data first (the instruments come
 * from the exchange when it answers), the node resumed from the database on those instruments,
 * then the venue. A start that fails here is released and its run recorded as failed.
 */
export async function openEngineParts({
  config,
  variant,
  log,
  audit,
  clock,
  plan,
  storage,
  marketData,
  failures,
  exchangeFactory,
}: EnginePartsInput): Promise<EngineParts> {
  let market: MarketDataChoice | undefined;
  let faults: EngineFaults | undefined;
  try {
    market = await marketData.open({
      config,
      log,
      clock,
      plan,
      db: storage.db,
      allowFallback: variant.allowMarketFallback,
      exchangeFactory,
    });
    const node = resumeNode(
      config,
      clock,
      market,
      storage,
      log,
      (symbol) => marketData.lastData.get(symbol),
      (f) => failures.report(f),
      // A storage failure under a strategy's call halts trading as any engine fault (set
      // below, before any strategy runs).
      (err, what) => faults?.fault(err, what),
    );
    // One record of engine faults for the market-data path, the strategies' calls into the
    // engine and the venue's own reports.
    const engineFaults = new EngineFaults(node, log, () => clock.now());
    faults = engineFaults;
    const engineFault = (err: unknown, what: string): void => engineFaults.fault(err, what);
    const venue = await connectVenue(
      variant,
      { config, node, market, audit, log, engineFault },
      clock,
      storage,
    );
    return { market, node, venue, faults: engineFaults };
  } catch (e) {
    await releaseUnbuilt(storage, clock, market, e);
    throw e;
  }
}
