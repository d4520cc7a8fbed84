import type { StrategyStateStore } from '../strategy/StrategyContext.js';

/** A key written or deleted during warm-up: its value then, or deleted. */
type Pending = { readonly value: unknown } | undefined;

/**
 * A strategy's state store that holds back writes during warm-up. Warm-up bars are history
 * the strategy replays to fill its indicators, and what it would have decided on them never
 * happened (its orders were refused): a write then must not replace the state the last live
 * run saved, which a restart resumes from. While warming up, writes and deletes go to an
 * overlay the strategy's own reads see; when warm-up ends the overlay is dropped and the store
 * reads and writes the saved state again.
 */
export class WarmUpStateStore implements StrategyStateStore {
  private overlay: Map<string, Pending> | undefined;

  constructor(private readonly saved: StrategyStateStore) {}

  /** Writes from now on stay in memory until `end`. */
  begin(): void {
    this.overlay ??= new Map();
  }

  /** Drops what warm-up wrote: the saved state is in force again. */
  end(): void {
    this.overlay = undefined;
  }

  get<T>(key: string): T | undefined {
    const overlay = this.overlay;
    if (overlay !== undefined && overlay.has(key)) return overlay.get(key)?.value as T | undefined;
    return this.saved.get<T>(key);
  }

  set(key: string, value: unknown): void {
    if (this.overlay !== undefined) this.overlay.set(key, { value });
    else this.saved.set(key, value);
  }

  delete(key: string): void {
    if (this.overlay !== undefined) this.overlay.set(key, undefined);
    else this.saved.delete(key);
  }
}
