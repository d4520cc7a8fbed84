import type { Millis } from '../core/time.js';

/**
 * Order submissions in any sliding 60 s window: our own budget on top of the exchange's
 * limits, so a strategy stuck in a loop is stopped by us long before the exchange bans the
 * account. Times come from the engine clock.
 */
export class OrderRateLimiter {
  private readonly times: number[] = [];

  constructor(
    private readonly maxPerWindow: number,
    private readonly windowMs = 60_000,
  ) {}

  /** Submissions counted in the window ending at `now`. */
  count(now: Millis): number {
    while (this.times.length > 0 && (this.times[0] as number) <= now - this.windowMs) this.times.shift();
    return this.times.length;
  }

  allows(now: Millis): boolean {
    return this.count(now) < this.maxPerWindow;
  }

  record(now: Millis): void {
    this.times.push(now);
  }
}
