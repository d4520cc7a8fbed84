import type { Millis } from '../core/time.js';
import type { Clock, TimerCallback } from './Clock.js';

/**
 * The longest delay Node's timers take: a longer one (about 24.8 days) overflows their 32-bit
 * field and is run after 1 ms instead — a weekly-or-longer DCA timer would buy every millisecond.
 */
const MAX_TIMER_DELAY_MS = 2_147_483_647;

/**
 * Wall-clock time for shadow and live trading. Timers run on the event loop; a timer
 * that fires late (a busy loop, a suspended laptop) fires once, not a burst of catch-ups,
 * and reports the time it actually ran. A wait longer than the event loop's timers can hold
 * is made of shorter ones, each measured again from the clock. `dispose()` clears every timer
 * on shutdown.
 */
export class LiveClock implements Clock {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly source: () => Millis = () => Date.now(),
    /** The longest single event-loop wait (tests shorten it to see long waits split). */
    private readonly maxDelayMs: number = MAX_TIMER_DELAY_MS,
  ) {}

  now(): Millis {
    return this.source();
  }

  setTimer(name: string, intervalMs: number, callback: TimerCallback): void {
    if (!(intervalMs > 0)) throw new Error(`timer ${name}: interval must be > 0`);
    this.cancelTimer(name);
    if (intervalMs <= this.maxDelayMs) {
      this.timers.set(
        name,
        setInterval(() => callback(name, this.now()), intervalMs),
      );
      return;
    }
    const next = (): void =>
      this.wait(name, this.now() + intervalMs, () => {
        next();
        callback(name, this.now());
      });
    next();
  }

  setAlarm(name: string, at: Millis, callback: TimerCallback): void {
    this.cancelTimer(name);
    this.wait(name, at, () => {
      this.timers.delete(name);
      callback(name, this.now());
    });
  }

  /** Runs `fire` once the clock reaches `at`, in waits the event loop can hold, under `name`. */
  private wait(name: string, at: Millis, fire: () => void): void {
    const delay = Math.max(0, at - this.now());
    const handle =
      delay > this.maxDelayMs
        ? setTimeout(() => this.wait(name, at, fire), this.maxDelayMs)
        : setTimeout(fire, delay);
    this.timers.set(name, handle);
  }

  cancelTimer(name: string): void {
    const t = this.timers.get(name);
    if (t === undefined) return;
    clearTimeout(t);
    this.timers.delete(name);
  }

  timerNames(): string[] {
    return [...this.timers.keys()].sort();
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
