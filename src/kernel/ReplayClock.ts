import type { Millis } from '../core/time.js';
import { TestClock } from './Clock.js';

/**
 * Market time of replayed history (shadow mode on `marketData.replayFiles`), with timers. Replay
 * plays history at `replayBarsPerSecond`, far from the pace the bars were made at, so timers on
 * the wall clock would fire at points of the history that depend on that pace (a 1h DCA timer
 * at 2 bars a second bought once every 7,200 one-minute bars, not every 60). On this clock the
 * simulated venue and the strategies' timers run in bar time, as in a backtest: each closed bar
 * moves it to the bar's end, firing the timers due up to then before the venue matches the bar.
 */
export class ReplayClock extends TestClock {
  /** A market event at `ts` was seen: time moves there (never back), firing due timers. */
  observe(ts: Millis): void {
    if (ts > this.now()) this.advanceTo(ts);
  }
}
