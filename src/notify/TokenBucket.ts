/**
 * A token bucket on an injected clock: `capacity` messages at once, then `ratePerMs`
 * per millisecond on average. Time going backwards never creates tokens.
 */
/**
 * Refills are floating-point sums, so waiting exactly the advertised time can leave
 * 0.9999999… tokens; anything this close to a whole token counts as one.
 */
const WHOLE = 1 - 1e-9;

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly capacity: number,
    private readonly ratePerMs: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  /** Takes one token if there is one. */
  tryTake(now: number): boolean {
    this.refill(now);
    if (this.tokens < WHOLE) return false;
    this.tokens = Math.max(0, this.tokens - 1);
    return true;
  }

  /** Milliseconds until a token is available (0 = now). */
  msUntilToken(now: number): number {
    this.refill(now);
    return this.tokens >= WHOLE ? 0 : Math.ceil((1 - this.tokens) / this.ratePerMs);
  }

  private refill(now: number): void {
    if (now <= this.last) return;
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.ratePerMs);
    this.last = now;
  }
}
