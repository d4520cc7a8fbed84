import type Database from 'better-sqlite3';
import type { StrategyStateStore } from '../../strategy/StrategyContext.js';
import { guardWrite } from './writeError.js';

/**
 * A strategy's persistent key/value state (`ctx.state`), one instance per strategy id.
 * Write-through: `set` and `delete` commit at once, so what a strategy stored before a crash
 * is there after the restart. Reads come from memory, loaded once at construction; values
 * are kept as JSON text and parsed on every `get`, so a caller mutating what it got back
 * cannot change the stored state behind the store's back (same contract as MemoryStateStore).
 *
 * One writer per strategy id is assumed (the engine that runs it); another process's writes
 * are not seen until a new instance is made.
 *
 * A save SQLite refuses (full disk, read-only file) is ERR_DB_WRITE and changes nothing, in
 * memory either: called from a strategy's handler it is the engine's fault, not the
 * strategy's, and halts trading rather than quarantining the strategy.
 */
export class SqliteStrategyStateStore implements StrategyStateStore {
  private readonly values = new Map<string, string>();
  private readonly upsert: (strategyId: string, key: string, value: string) => Database.RunResult;
  private readonly remove: (strategyId: string, key: string) => Database.RunResult;
  private readonly removeAll: (strategyId: string) => Database.RunResult;

  constructor(
    db: Database.Database,
    readonly strategyId: string,
  ) {
    const upsert = db.prepare<[string, string, string]>(
      `INSERT INTO strategy_state (strategy_id, key, value) VALUES (?, ?, ?)
       ON CONFLICT (strategy_id, key) DO UPDATE SET value = excluded.value`,
    );
    const remove = db.prepare<[string, string]>(
      'DELETE FROM strategy_state WHERE strategy_id = ? AND key = ?',
    );
    const removeAll = db.prepare<[string]>('DELETE FROM strategy_state WHERE strategy_id = ?');
    this.upsert = guardWrite(
      upsert.run.bind(upsert),
      (id, key) => `strategy ${id}: state "${key}" not saved`,
    );
    this.remove = guardWrite(
      remove.run.bind(remove),
      (id, key) => `strategy ${id}: state "${key}" not deleted`,
    );
    this.removeAll = guardWrite(removeAll.run.bind(removeAll), (id) => `strategy ${id}: state not cleared`);
    const rows = db
      .prepare<[string], { key: string; value: string }>(
        'SELECT key, value FROM strategy_state WHERE strategy_id = ?',
      )
      .all(strategyId);
    for (const r of rows) this.values.set(r.key, r.value);
  }

  get<T>(key: string): T | undefined {
    const text = this.values.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  /** Stores `value` as JSON; throws before writing anything when it is not JSON-serializable. */
  set(key: string, value: unknown): void {
    const text = JSON.stringify(value);
    if (text === undefined) throw new Error(`strategy state "${key}" is not JSON-serializable`);
    this.upsert(this.strategyId, key, text);
    this.values.set(key, text);
  }

  delete(key: string): void {
    this.remove(this.strategyId, key);
    this.values.delete(key);
  }

  /** Forgets everything this strategy stored (a fresh start on purpose). */
  clear(): void {
    this.removeAll(this.strategyId);
    this.values.clear();
  }

  /** Everything stored, for display. */
  snapshot(): Record<string, unknown> {
    return Object.fromEntries([...this.values].map(([k, v]) => [k, JSON.parse(v) as unknown]));
  }
}
