import { QtsError } from '../core/QtsError.js';
import type { StrategyStateStore } from '../strategy/StrategyContext.js';

/** A key written or deleted during warm-up: its value then (as JSON text), or deleted. */
type Pending = { readonly text: string } | undefined;

/**
 * What JSON would store of `value`, or ERR_STATE_NOT_JSON for a value it would silently change
 * or drop: a Map or Set (stored as `{}`), NaN or ±Infinity (stored as null), a BigInt, a
 * function or a symbol. A strategy would otherwise resume after a restart from state it did
 * not save, with nothing said when it saved it.
 */
function stateText(key: string, value: unknown): string {
  const text = JSON.stringify(value, (_k, v: unknown) => {
    const bad =
      v instanceof Map
        ? 'a Map'
        : v instanceof Set
          ? 'a Set'
          : typeof v === 'number' && !Number.isFinite(v)
            ? String(v)
            : typeof v === 'bigint' || typeof v === 'function' || typeof v === 'symbol'
              ? `a ${typeof v}`
              : undefined;
    if (bad !== undefined)
      throw new QtsError(
        'ERR_STATE_NOT_JSON',
        `strategy state "${key}" holds ${bad}, which JSON cannot keep: store plain objects, arrays, strings, finite numbers, booleans or null`,
      );
    return v;
  });
  if (text === undefined)
    throw new QtsError('ERR_STATE_NOT_JSON', `strategy state "${key}" is not JSON-serializable`);
  return text;
}

/**
 * A strategy's state store (`ctx.state` in every mode) that refuses values JSON would not keep
 * as they are (see stateText), and holds back writes during warm-up. Warm-up bars are history
 * the strategy replays to fill its indicators, and what it would have decided on them never
 * happened (its orders were refused): a write then must not replace the state the last live
 * run saved, which a restart resumes from. While warming up, writes and deletes go to an
 * overlay the strategy's own reads see (as JSON, like the saved store: a value read back is a
 * copy); when warm-up ends the overlay is dropped and the store reads and writes the saved
 * state again.
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
    if (overlay !== undefined && overlay.has(key)) {
      const pending = overlay.get(key);
      return pending === undefined ? undefined : (JSON.parse(pending.text) as T);
    }
    return this.saved.get<T>(key);
  }

  set(key: string, value: unknown): void {
    const text = stateText(key, value);
    if (this.overlay !== undefined) this.overlay.set(key, { text });
    else this.saved.set(key, value);
  }

  delete(key: string): void {
    if (this.overlay !== undefined) this.overlay.set(key, undefined);
    else this.saved.delete(key);
  }
}
