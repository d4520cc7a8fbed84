import { timeframeToMs } from '../core/time.js';
import type { Bar } from '../model/Bar.js';
import type { CrossSectionSnapshot } from './CrossSection.js';
import { CrossSection } from './CrossSection.js';
import type { StrategyContext } from './StrategyContext.js';

/**
 * A member without a bar for this many periods the others traded (and as many of its own bar
 * intervals) counts as gone: its data ended, or its market halted. Twelve periods of silence
 * while the rest of the universe trades is no longer a quiet spell (one hour of 5m bars), and
 * a shorter threshold would drop symbols over the ordinary holes of real data.
 */
export const GONE_AFTER_PERIODS = 12;

/**
 * The cross-sections of a multi-symbol strategy (baskets, pairs), closed on time: a period is
 * closed by the last live member's bar or, when a live member sent none, by an alarm half a
 * bar after the period's end — late enough for a live feed's stragglers, and in a backtest
 * before any bar of the next period is replayed (never by whichever symbol's next bar happens
 * to come first). Members silent for GONE_AFTER_PERIODS periods are gone (see CrossSection).
 */
export class TimedCrossSection {
  private readonly cross: CrossSection;
  private readonly barMs: number;
  /** Open time of the period the close alarm is set for. */
  private alarmFor: number | undefined;

  constructor(
    private readonly ctx: Pick<StrategyContext, 'timeframe' | 'setAlarm' | 'cancelTimer'>,
    symbols: readonly string[],
    /** The alarm's name: unique among the strategy's timers. */
    private readonly alarm: string,
  ) {
    this.barMs = timeframeToMs(ctx.timeframe);
    this.cross = new CrossSection(symbols, { goneAfter: GONE_AFTER_PERIODS });
  }

  /** A closed bar: the periods it completes go to `onPeriod`, then the close alarm follows the open period. */
  add(bar: Bar, onPeriod: (snap: CrossSectionSnapshot) => void): void {
    for (const snap of this.cross.add(bar)) onPeriod(snap);
    const open = this.cross.openTs;
    if (open === this.alarmFor) return;
    if (open === undefined) this.ctx.cancelTimer(this.alarm);
    else this.ctx.setAlarm(this.alarm, open + this.barMs * 1.5);
    this.alarmFor = open;
  }

  /** A timer of the strategy fired: if it is the close alarm, the open period closes as it is. */
  onTimer(name: string, onPeriod: (snap: CrossSectionSnapshot) => void): void {
    if (name !== this.alarm) return;
    this.alarmFor = undefined;
    for (const snap of this.cross.flush()) onPeriod(snap);
  }
}
