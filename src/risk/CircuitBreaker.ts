import type { Millis } from '../core/time.js';

const DAY_MS = 86_400_000;
/** A limit trips at exactly its value: 1 − 10800/12000 is 0.09999999999999998 in floats. */
const EPSILON = 1e-12;

/** Why a breaker tripped. */
export interface BreakerTrip {
  readonly code: 'ERR_RISK_DAILY_LOSS' | 'ERR_RISK_MAX_DRAWDOWN';
  readonly reason: string;
}

/** Anchors a breaker needs across restarts. */
export interface BreakerAnchors {
  readonly peakEquity: number;
  readonly dayStart: Millis;
  readonly dayStartEquity: number;
}

/**
 * Watches equity for the two losses that must stop a trading day: the loss since the
 * UTC day's start equity and the drawdown from the peak. It only reports; the risk engine
 * decides the new trading state. Anchors are restorable so a restart does not reset them
 * (restarting must never be a way around a daily loss limit).
 */
export class CircuitBreaker {
  private peak = Number.NaN;
  private dayStart = Number.NaN;
  private dayStartEquity = Number.NaN;

  constructor(
    private readonly dailyLossLimitPct: number | undefined,
    private readonly maxDrawdownPct: number | undefined,
  ) {}

  restore(a: BreakerAnchors): void {
    this.peak = a.peakEquity;
    this.dayStart = a.dayStart;
    this.dayStartEquity = a.dayStartEquity;
  }

  anchors(): BreakerAnchors | undefined {
    if (Number.isNaN(this.peak)) return undefined;
    return { peakEquity: this.peak, dayStart: this.dayStart, dayStartEquity: this.dayStartEquity };
  }

  /**
   * An operator lifted a trip (resume): each limit breached at `equity` counts again from it —
   * the day's start for the daily loss, the peak for the drawdown — so trading resumes instead
   * of tripping again on the next bar, and a further loss of the limit trips again. A limit
   * not breached keeps its anchor. Returns whether an anchor moved.
   */
  rebase(equity: number): boolean {
    if (!Number.isFinite(equity) || Number.isNaN(this.peak)) return false;
    let moved = false;
    if (this.dailyLoss(equity) !== undefined) {
      this.dayStartEquity = equity;
      moved = true;
    }
    if (this.drawdown(equity) !== undefined) {
      this.peak = equity;
      moved = true;
    }
    return moved;
  }

  /** Feeds the latest equity; returns a trip when a limit is breached. */
  update(equity: number, ts: Millis): BreakerTrip | undefined {
    if (!Number.isFinite(equity)) return undefined;
    const day = Math.floor(ts / DAY_MS) * DAY_MS;
    if (Number.isNaN(this.dayStart) || day > this.dayStart) {
      this.dayStart = day;
      this.dayStartEquity = equity;
    }
    if (Number.isNaN(this.peak) || equity > this.peak) this.peak = equity;
    return this.dailyLoss(equity) ?? this.drawdown(equity);
  }

  private dailyLoss(equity: number): BreakerTrip | undefined {
    if (this.dailyLossLimitPct === undefined || !(this.dayStartEquity > 0)) return undefined;
    const loss = 1 - equity / this.dayStartEquity;
    if (loss < this.dailyLossLimitPct - EPSILON) return undefined;
    return {
      code: 'ERR_RISK_DAILY_LOSS',
      reason: `daily loss ${(loss * 100).toFixed(2)}% reached the limit ${(this.dailyLossLimitPct * 100).toFixed(2)}%`,
    };
  }

  private drawdown(equity: number): BreakerTrip | undefined {
    if (this.maxDrawdownPct === undefined || !(this.peak > 0)) return undefined;
    const dd = 1 - equity / this.peak;
    if (dd < this.maxDrawdownPct - EPSILON) return undefined;
    return {
      code: 'ERR_RISK_MAX_DRAWDOWN',
      reason: `drawdown ${(dd * 100).toFixed(2)}% from peak reached the limit ${(this.maxDrawdownPct * 100).toFixed(2)}%`,
    };
  }
}
