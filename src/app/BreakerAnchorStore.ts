import type { Fixed } from '../core/Fixed.js';
import { toFixed, toNumber } from '../core/Fixed.js';
import type { Millis } from '../core/time.js';
import type { RiskEngine } from '../risk/RiskEngine.js';
import type { RiskStateStore } from '../storage/sqlite/RiskStateStore.js';
import { SqliteStrategyStateStore } from '../storage/sqlite/SqliteStrategyStateStore.js';
import type { SqliteDatabase } from '../storage/sqlite/openDatabase.js';

const DAY_MS = 86_400_000;

/**
 * The circuit breaker's anchors, kept in the database: the UTC day's start equity (first value
 * of the day wins) and the peak. A restart can never reset a daily loss limit or a drawdown.
 */
export class BreakerAnchorStore {
  private readonly store: SqliteStrategyStateStore;
  private savedDay = -1;
  private savedPeak = Number.NaN;

  constructor(
    db: SqliteDatabase,
    private readonly risk: RiskStateStore,
    private readonly engine: RiskEngine,
    /** The account's equity now, in the quote currency. */
    private readonly equity: () => number,
  ) {
    this.store = new SqliteStrategyStateStore(db, '__risk__');
  }

  /** Gives the breaker the anchors of the last run, if any (before strategies start). */
  restore(now: Millis): void {
    const dayStart = this.risk.dailyStartEquity(now);
    const peak = this.store.get<number>('peakEquity');
    const equity = this.equity();
    if (dayStart === undefined && peak === undefined) return;
    this.engine.circuitBreaker.restore({
      peakEquity: Math.max(peak ?? equity, equity),
      dayStart: Math.floor(now / DAY_MS) * DAY_MS,
      dayStartEquity: dayStart === undefined ? equity : toNumber(dayStart),
    });
  }

  /** Feeds the equity to the breaker and saves the anchors that moved (every bar and fill). */
  check(now: Millis): void {
    const equity = this.equity();
    const day = Math.floor(now / DAY_MS);
    if (day !== this.savedDay) {
      this.risk.recordDailyStartEquity(now, money(equity));
      this.savedDay = day;
    }
    this.engine.onEquity(equity, now);
    const a = this.engine.circuitBreaker.anchors();
    // Written only when it moves: this runs on every bar and fill.
    if (a !== undefined && a.peakEquity !== this.savedPeak) {
      this.store.set('peakEquity', a.peakEquity);
      this.savedPeak = a.peakEquity;
    }
  }

  /**
   * After an operator's resume: the limits breached now count again from the equity now
   * (CircuitBreaker.rebase), saved so a restart keeps the new anchors — otherwise the next bar,
   * or the next start, would trip the breaker again at once and a resume could never hold.
   */
  rebase(now: Millis): void {
    const equity = this.equity();
    if (!this.engine.circuitBreaker.rebase(equity)) return;
    const a = this.engine.circuitBreaker.anchors();
    if (a === undefined) return;
    this.risk.rebaseDailyStartEquity(now, money(a.dayStartEquity));
    this.savedDay = Math.floor(now / DAY_MS);
    this.store.set('peakEquity', a.peakEquity);
    this.savedPeak = a.peakEquity;
  }
}

/** Equity as stored: exact to 10⁻⁸ of the account currency. */
function money(equity: number): Fixed {
  return toFixed(Math.round(equity * 1e8) / 1e8);
}
