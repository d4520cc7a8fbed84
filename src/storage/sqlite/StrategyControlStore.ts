import type Database from 'better-sqlite3';
import { jsonText } from './jsonText.js';
import { guardWrite } from './writeError.js';

/** What an operator last set for one strategy instance through the API or the dashboard. */
export interface StrategyControl {
  readonly strategyId: string;
  /** The built-in strategy the instance ran when this was saved. */
  readonly strategy: string;
  /** Parameters set by the operator; undefined when only start/stop was changed. */
  readonly params: Readonly<Record<string, unknown>> | undefined;
  /** The config file's parameters at that moment: a later edit of the file wins over this control. */
  readonly configParams: Readonly<Record<string, unknown>>;
  readonly running: boolean;
  readonly updatedAt: number;
  readonly updatedBy: string;
}

interface Row {
  strategy_id: string;
  strategy: string;
  params: string | null;
  config_params: string;
  running: number;
  updated_at: number;
  updated_by: string;
}

/**
 * Strategy start/stop and parameter changes made on a running engine, one row per instance,
 * written at once so a restart (or a crash) brings the engine back as the operator left it.
 * A write SQLite refuses (full disk, read-only file) is ERR_DB_WRITE.
 */
export class StrategyControlStore {
  private readonly upsert: (
    ...row: [string, string, string | null, string, number, number, string]
  ) => Database.RunResult;
  private readonly selectAll: Database.Statement<[], Row>;
  private readonly remove: (strategyId: string) => Database.RunResult;

  constructor(db: Database.Database) {
    const upsert = db.prepare<[string, string, string | null, string, number, number, string]>(
      `INSERT INTO strategy_controls (strategy_id, strategy, params, config_params, running, updated_at, updated_by)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (strategy_id) DO UPDATE SET strategy = excluded.strategy, params = excluded.params,
         config_params = excluded.config_params, running = excluded.running,
         updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    );
    this.upsert = guardWrite(upsert.run.bind(upsert), (id) => `control of strategy ${id} not saved`);
    this.selectAll = db.prepare('SELECT * FROM strategy_controls ORDER BY strategy_id');
    const remove = db.prepare<[string]>('DELETE FROM strategy_controls WHERE strategy_id = ?');
    this.remove = guardWrite(remove.run.bind(remove), (id) => `control of strategy ${id} not deleted`);
  }

  save(c: StrategyControl): void {
    this.upsert(
      c.strategyId,
      c.strategy,
      c.params === undefined ? null : jsonText(c.params),
      jsonText(c.configParams),
      c.running ? 1 : 0,
      c.updatedAt,
      c.updatedBy,
    );
  }

  get(strategyId: string): StrategyControl | undefined {
    return this.all().find((c) => c.strategyId === strategyId);
  }

  all(): StrategyControl[] {
    return this.selectAll.all().map((r) => ({
      strategyId: r.strategy_id,
      strategy: r.strategy,
      params: r.params === null ? undefined : (JSON.parse(r.params) as Record<string, unknown>),
      configParams: JSON.parse(r.config_params) as Record<string, unknown>,
      running: r.running === 1,
      updatedAt: r.updated_at,
      updatedBy: r.updated_by,
    }));
  }

  /** Forgets an instance's control (it no longer applies). */
  delete(strategyId: string): void {
    this.remove(strategyId);
  }
}
