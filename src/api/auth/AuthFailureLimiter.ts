/** What `api.rateLimit.authFailures` and `authWindowMs` default to (docs/configuration.md). */
export const DEFAULT_AUTH_FAILURES = 10;
export const DEFAULT_AUTH_WINDOW_MS = 15 * 60_000;

/** Enough for every real client; a flood of distinct addresses beyond it forgets the oldest. */
const MAX_TRACKED = 10_000;

/**
 * Counts failed logins and rejected bearer credentials per client address in a fixed window.
 * Past the limit the address gets 429 — even with good credentials — until its window ends,
 * so guessing tokens or passwords costs a window per few tries. One limiter guards every
 * surface of a configuration (REST and WebSocket push, see `authFailureLimiterFor`): a
 * guesser cannot double its tries by alternating between them.
 */
export class AuthFailureLimiter {
  /** Insertion order is window-start order: a window is added when it starts, never moved. */
  private readonly windows = new Map<string, { start: number; failures: number }>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly now: () => number,
    /** Addresses remembered at most; past it the oldest windows are forgotten first. */
    private readonly maxTracked = MAX_TRACKED,
  ) {}

  /** How many addresses have a window open (diagnostics). */
  get tracked(): number {
    return this.windows.size;
  }

  /** Milliseconds until `address` may try again, or 0 when it may now. */
  blockedFor(address: string): number {
    const w = this.current(keyOf(address));
    if (w === undefined || w.failures < this.maxFailures) return 0;
    return w.start + this.windowMs - this.now();
  }

  fail(address: string): void {
    const key = keyOf(address);
    const w = this.current(key);
    if (w !== undefined) {
      w.failures += 1;
      return;
    }
    this.sweep();
    this.windows.set(key, { start: this.now(), failures: 1 });
  }

  /**
   * Forgets expired windows from the oldest end, and beyond `maxTracked` the oldest open
   * ones too: constant work per new address. Scanning the whole table on every failure (as
   * once done past 10,000 addresses) let a guesser rotating through an IPv6 range stall the
   * engine's event loop for milliseconds per bad token, growing with every address. Dropping
   * the oldest window under such a flood gives back at most one address's few tries, to
   * someone who already has thousands of addresses each with its own.
   */
  private sweep(): void {
    const now = this.now();
    for (const [k, w] of this.windows) {
      if (now - w.start < this.windowMs && this.windows.size < this.maxTracked) break;
      this.windows.delete(k);
    }
  }

  private current(key: string): { start: number; failures: number } | undefined {
    const w = this.windows.get(key);
    if (w !== undefined && this.now() - w.start >= this.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return w;
  }
}

/**
 * One key per client: a dual-stack socket reports an IPv4 client as `::ffff:1.2.3.4`, an
 * IPv4 one as `1.2.3.4`; the REST port and the push port may be one of each, and the same
 * guesser must count once.
 */
function keyOf(address: string): string {
  const m = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return m?.[1] ?? address;
}
