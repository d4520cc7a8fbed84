import { validateParams } from '../../backtest/validateParams.js';
import type { StrategyDeploymentConfig } from '../../config/configSchema.js';
import { isQtsError } from '../../core/QtsError.js';
import { canonicalJson } from '../../monitor/audit/auditHash.js';
import type { TradingNode } from '../../node/TradingNode.js';
import type { SqliteDatabase } from '../../storage/sqlite/openDatabase.js';
import type { StrategyControl } from '../../storage/sqlite/StrategyControlStore.js';
import { StrategyControlStore } from '../../storage/sqlite/StrategyControlStore.js';

/** What restoring did to one strategy instance, for the log and the audit trail. */
export interface RestoredControl {
  readonly strategyId: string;
  readonly outcome: 'restored' | 'config-changed' | 'invalid' | 'strategy-changed';
  readonly running: boolean;
  readonly params: Readonly<Record<string, unknown>> | undefined;
  readonly detail: string;
}

/**
 * Start/stop and parameter changes an operator makes on a running engine (REST API,
 * dashboard) are saved at once in SQLite and brought back at the next start, before any
 * strategy sees a bar — so a restart does not silently undo a stop or revert parameters.
 *
 * The config file still has the last word on parameters: a control remembers the file's
 * parameters it replaced, and when the file's parameters (or the strategy) of that instance
 * have changed since, the file's win and the saved ones are dropped. Saved parameters are
 * validated again by the strategy's schema; ones it no longer accepts are dropped with a
 * warning. A stop is never dropped with them: an operator who stopped a misbehaving
 * strategy and then edits its parameters in the file has not asked for it to trade again,
 * so it stays stopped until started through the API or the dashboard.
 */
export class StrategyControls {
  private readonly store: StrategyControlStore;

  constructor(
    db: SqliteDatabase,
    private readonly node: TradingNode,
    private readonly deployments: readonly StrategyDeploymentConfig[],
    private readonly now: () => number,
  ) {
    this.store = new StrategyControlStore(db);
  }

  /** Applies the saved controls to the node's strategies (call before `node.start()`). */
  restore(): RestoredControl[] {
    const out: RestoredControl[] = [];
    for (const c of this.store.all()) {
      const d = this.deployments.find((x) => x.id === c.strategyId && x.enabled);
      // An instance no longer deployed keeps its row: it may be enabled again later.
      if (d === undefined) continue;
      const info = this.node.strategyInfos().find((s) => s.id === c.strategyId);
      if (info === undefined) continue;
      if (d.strategy !== c.strategy) {
        out.push(this.drop(c, d, 'strategy-changed', `now runs ${d.strategy}, was ${c.strategy}`));
        continue;
      }
      if (canonicalJson(d.params) !== canonicalJson(c.configParams)) {
        out.push(
          this.drop(c, d, 'config-changed', 'parameters in the config file changed since: the file wins'),
        );
        continue;
      }
      if (c.params !== undefined) {
        try {
          this.node.updateStrategyParams(c.strategyId, validateParams(info.strategyClass, c.params));
        } catch (e) {
          if (!isQtsError(e)) throw e;
          out.push(this.drop(c, d, 'invalid', `saved parameters refused: ${e.message}`));
          continue;
        }
      }
      if (c.running) this.node.startStrategy(c.strategyId);
      else this.node.stopStrategy(c.strategyId);
      out.push({
        strategyId: c.strategyId,
        outcome: 'restored',
        running: c.running,
        params: c.params,
        detail: `${c.running ? 'running' : 'stopped'}${c.params === undefined ? '' : `, params ${JSON.stringify(c.params)}`} (set by ${c.updatedBy})`,
      });
    }
    return out;
  }

  /**
   * The saved change cannot apply (`outcome`): its parameters are dropped and the file's run.
   * A saved stop stays, now against the file's parameters and strategy; anything else of the
   * control goes.
   */
  private drop(
    c: StrategyControl,
    d: StrategyDeploymentConfig,
    outcome: Exclude<RestoredControl['outcome'], 'restored'>,
    why: string,
  ): RestoredControl {
    if (c.running) {
      this.store.delete(c.strategyId);
      return {
        strategyId: c.strategyId,
        outcome,
        running: true,
        params: c.params,
        detail: `${why}: control dropped`,
      };
    }
    this.node.stopStrategy(c.strategyId);
    this.store.save({ ...c, strategy: d.strategy, params: undefined, configParams: d.params });
    return {
      strategyId: c.strategyId,
      outcome,
      running: false,
      params: c.params,
      detail: `${why}: saved parameters dropped; kept stopped (stopped by ${c.updatedBy}): start it through the API or the dashboard`,
    };
  }

  /** Saves the instance's current running flag and parameters as set by `by`. */
  record(strategyId: string, by: string, paramsChanged: boolean): void {
    const info = this.node.strategyInfos().find((s) => s.id === strategyId);
    const d = this.deployments.find((x) => x.id === strategyId);
    if (info === undefined || d === undefined) return;
    const previous = this.store.get(strategyId);
    const params = paramsChanged
      ? ((info.params ?? {}) as Record<string, unknown>)
      : // A start or stop keeps parameters set earlier, and sets none of its own.
        previous?.params;
    this.store.save({
      strategyId,
      strategy: info.strategyClass.id,
      params,
      configParams: d.params,
      running: info.running,
      updatedAt: this.now(),
      updatedBy: by,
    });
  }
}
