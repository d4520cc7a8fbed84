import type { Millis } from '../core/time.js';

/**
 * Consecutive losing round trips per strategy. After `limit` losses in a row a strategy
 * may only reduce positions until `cooldownMs` has passed: a strategy that keeps losing is
 * more often broken (or facing a market it was not built for) than unlucky.
 */
export class LossStreaks {
  private readonly streak = new Map<string, number>();
  private readonly until = new Map<string, Millis>();

  constructor(
    private readonly limit: number | undefined,
    private readonly cooldownMs: number,
  ) {}

  /** Whether a limit is set: without one, closed round trips change nothing. */
  get counting(): boolean {
    return this.limit !== undefined;
  }

  /** A round trip of `strategyId` closed with net `pnl`. */
  onClosed(strategyId: string, pnl: number, now: Millis): void {
    if (this.limit === undefined) return;
    const n = pnl < 0 ? (this.streak.get(strategyId) ?? 0) + 1 : 0;
    this.streak.set(strategyId, n);
    if (n >= this.limit) {
      this.until.set(strategyId, now + this.cooldownMs);
      this.streak.set(strategyId, 0);
    }
  }

  /** End of the cooldown when one is running. */
  coolingDownUntil(strategyId: string, now: Millis): Millis | undefined {
    const t = this.until.get(strategyId);
    return t !== undefined && t > now ? t : undefined;
  }

  losses(strategyId: string): number {
    return this.streak.get(strategyId) ?? 0;
  }
}
