/**
 * Counts failed logins and rejected bearer credentials per client address in a fixed window.
 * Past the limit the address gets 429 — even with good credentials — until its window ends,
 * so guessing tokens or passwords costs a window per few tries.
 */
export class AuthFailureLimiter {
  private readonly windows = new Map<string, { start: number; failures: number }>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** Milliseconds until `key` may try again, or 0 when it may now. */
  blockedFor(key: string): number {
    const w = this.current(key);
    if (w === undefined || w.failures < this.maxFailures) return 0;
    return w.start + this.windowMs - this.now();
  }

  fail(key: string): void {
    const w = this.current(key);
    if (w === undefined) this.windows.set(key, { start: this.now(), failures: 1 });
    else w.failures += 1;
    // Bounded memory: forget expired windows once the table grows.
    if (this.windows.size > 10_000) for (const k of this.windows.keys()) this.current(k);
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
