import { QtsError } from '../core/QtsError.js';
import type { Millis } from '../core/time.js';
import type { Clock } from './Clock.js';

/**
 * Time as the market data says it is: the timestamp of the latest trade or bar shown to
 * the simulated venue. In shadow mode the venue matches an order against prints that
 * come after it; judging "after" by our wall clock would let clock skew with the exchange
 * (or replayed history) decide fills, so the venue runs on this clock. It never goes back.
 */
export class MarketTimeClock implements Clock {
  private time: Millis;

  constructor(start: Millis = 0) {
    this.time = start;
  }

  now(): Millis {
    return this.time;
  }

  /** A market event at `ts` was seen. */
  observe(ts: Millis): void {
    if (ts > this.time) this.time = ts;
  }

  setTimer(name: string): void {
    throw new QtsError('ERR_CLOCK_NO_TIMERS', `market time runs no timers (${name}): use the engine clock`);
  }
  setAlarm(name: string): void {
    this.setTimer(name);
  }
  cancelTimer(): void {}
  timerNames(): string[] {
    return [];
  }
}
