import { Rng } from '../core/Rng.js';

/** Settings of a Backoff. */
export interface BackoffOptions {
  /** First delay in ms (default 500). */
  readonly initialMs: number;
  /** Upper bound of any delay in ms (default 30 000). */
  readonly maxMs: number;
  /** Growth per failed attempt (default 2). */
  readonly factor: number;
  /** Fraction of each delay drawn at random, 0…1 (default 0.3): spreads reconnects of many clients. */
  readonly jitter: number;
}

/** The defaults: 0.5 s, 1 s, 2 s, … capped at 30 s, each shortened by up to 30 %. */
export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.3 };

/**
 * Exponential backoff with seeded jitter for reconnect loops. When an exchange drops every
 * client at once, clients that retry on the same schedule hit it again at the same
 * instant; the jitter spreads them, and the seed keeps a test's delays reproducible.
 * A delay never exceeds `maxMs`.
 */
export class Backoff {
  private readonly opts: BackoffOptions;
  private readonly rng: Rng;
  private attempt = 0;

  constructor(options: Partial<BackoffOptions> = {}, seed = 1) {
    this.opts = { ...DEFAULT_BACKOFF, ...options };
    if (
      !(this.opts.initialMs >= 0) ||
      !(this.opts.maxMs >= this.opts.initialMs) ||
      !(this.opts.factor >= 1)
    ) {
      throw new Error(`invalid backoff ${JSON.stringify(this.opts)}`);
    }
    if (!(this.opts.jitter >= 0 && this.opts.jitter <= 1))
      throw new Error('backoff jitter must be in [0, 1]');
    this.rng = new Rng(seed);
  }

  /** The delay before the next attempt; each call counts one more failure. */
  next(): number {
    const base = Math.min(this.opts.maxMs, this.opts.initialMs * this.opts.factor ** this.attempt);
    this.attempt++;
    return Math.round(base * (1 - this.opts.jitter * this.rng.next()));
  }

  /** Failures counted since the last success. */
  failures(): number {
    return this.attempt;
  }

  /** A success: the next failure starts from `initialMs` again. */
  reset(): void {
    this.attempt = 0;
  }
}
