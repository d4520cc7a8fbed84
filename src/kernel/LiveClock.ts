import type { Millis } from '../core/time.js';
import type { Clock, TimerCallback } from './Clock.js';

/**
 * Wall-clock time for shadow and live trading. Timers run on the event loop; a timer
 * that fires late (a busy loop, a suspended laptop) fires once, not a burst of catch-ups,
 * and reports the time it actually ran. `dispose()` clears every timer on shutdown.
 */
export class LiveClock implements Clock {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly source: () => Millis = () => Date.now()) {}

  now(): Millis {
    return this.source();
  }

  setTimer(name: string, intervalMs: number, callback: TimerCallback): void {
    if (!(intervalMs > 0)) throw new Error(`timer ${name}: interval must be > 0`);
    this.cancelTimer(name);
    this.timers.set(
      name,
      setInterval(() => callback(name, this.now()), intervalMs),
    );
  }

  setAlarm(name: string, at: Millis, callback: TimerCallback): void {
    this.cancelTimer(name);
    const handle = setTimeout(
      () => {
        this.timers.delete(name);
        callback(name, this.now());
      },
      Math.max(0, at - this.now()),
    );
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
