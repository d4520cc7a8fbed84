import type { StrategyStateStore } from '../strategy/StrategyContext.js';

/**
 * Strategy state kept as JSON text, so what a strategy stores survives exactly what a
 * persisted store (SQLite) would keep: no functions, no class instances, no shared references.
 */
export class MemoryStateStore implements StrategyStateStore {
  private readonly values = new Map<string, string>();

  get<T>(key: string): T | undefined {
    const text = this.values.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  set(key: string, value: unknown): void {
    const text = JSON.stringify(value);
    if (text === undefined) throw new Error(`strategy state "${key}" is not JSON-serializable`);
    this.values.set(key, text);
  }

  delete(key: string): void {
    this.values.delete(key);
  }

  /** Everything stored, for persistence. */
  snapshot(): Record<string, unknown> {
    return Object.fromEntries([...this.values].map(([k, v]) => [k, JSON.parse(v) as unknown]));
  }
}
