import { QtsError } from '../core/QtsError.js';

/**
 * The shortest interval of a strategy's repeating timer: one second. Strategies trade bars
 * and trades, and nothing they see changes faster than the data does; a backtest fires every
 * timer due up to a bar's close before that bar, so a 1 ms timer over 20 years of daily bars
 * would be called some 6·10¹¹ times with the same prices (a run that never ends), and live it
 * would keep the event loop busy for nothing.
 */
export const MIN_TIMER_INTERVAL_MS = 1000;

/**
 * Refuses, with ERR_TIMER_INTERVAL, a timer interval that is not a finite number of ms of at
 * least MIN_TIMER_INTERVAL_MS: NaN, zero or a negative never fires in a backtest but would spin
 * a live event loop, and a shorter one floods either. Checked when the timer is asked for, so
 * it fails the same in every mode and while warming up (when the timer is only armed later).
 */
export function checkTimerInterval(name: string, intervalMs: number): void {
  if (Number.isFinite(intervalMs) && intervalMs >= MIN_TIMER_INTERVAL_MS) return;
  throw new QtsError(
    'ERR_TIMER_INTERVAL',
    `timer ${name}: interval must be a finite number of ms of at least ${MIN_TIMER_INTERVAL_MS} (1 s), got ${intervalMs}`,
    { intervalMs, minMs: MIN_TIMER_INTERVAL_MS },
  );
}
