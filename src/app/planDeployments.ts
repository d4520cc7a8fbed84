import { loadStrategyRef } from '../backtest/loadStrategyRef.js';
import { validateParams } from '../backtest/validateParams.js';
import type { AppConfig, StrategyDeploymentConfig } from '../config/configSchema.js';
import { QtsError } from '../core/QtsError.js';
import { timeframeToMs } from '../core/time.js';
import { isStrategyPath } from '../strategies/loadStrategy.js';
import { findStrategy } from '../strategies/registry.js';
import type { AnyStrategyClass } from '../strategy/Strategy.js';

/** An enabled deployment of the configuration, its strategy found and its parameters validated. */
export interface PlannedDeployment {
  readonly deployment: StrategyDeploymentConfig;
  readonly strategyClass: AnyStrategyClass;
  readonly params: unknown;
}

/** The strategies a shadow or live engine will run, checked before anything is opened. */
export interface DeploymentPlan {
  readonly deployments: readonly PlannedDeployment[];
  /** Every symbol some enabled strategy trades, once each: the symbols the market data streams. */
  readonly symbols: string[];
  /** The shortest timeframe deployed: the one timeframe the market data streams. */
  readonly baseTimeframe: string;
}

/**
 * The enabled deployments of the configuration, each with its strategy class and validated
 * parameters. An engine with nothing to run, an unknown strategy, a strategy file that does not
 * load or invalid parameters fails here, before any database or exchange is touched. A
 * deployment's `strategy` is a built-in id or a strategy file (absolute, or relative to the
 * directory the engine starts in).
 */
export async function planDeployments(config: AppConfig, mode: 'shadow' | 'live'): Promise<DeploymentPlan> {
  const deployments = config.strategies.filter((s) => s.enabled);
  if (deployments.length === 0)
    throw new QtsError(
      'ERR_CONFIG',
      `${mode} mode needs at least one enabled strategy (config/strategies/*.json)`,
    );
  // Every strategy is found before any parameters are checked: an unknown strategy is the error
  // reported first. Built-in ids through the registry (the engine's API lists them all anyway).
  const found = [];
  for (const deployment of deployments) {
    const ref = deployment.strategy;
    found.push({
      deployment,
      strategyClass: isStrategyPath(ref) ? await loadStrategyRef(ref) : findStrategy(ref),
    });
  }
  const planned = found.map((f) => ({ ...f, params: validateParams(f.strategyClass, f.deployment.params) }));
  const symbols = [...new Set(deployments.flatMap((d) => d.symbols))];
  const baseTimeframe =
    deployments.map((d) => d.timeframe).sort((a, b) => timeframeToMs(a) - timeframeToMs(b))[0] ?? '1m';
  return { deployments: planned, symbols, baseTimeframe };
}
