import type { Millis } from '../core/time.js';

/** Fires when a timer or alarm comes due. */
export type TimerCallback = (name: string, ts: Millis) => void;

/**
 * The only source of time in the engine. Backtests use TestClock (time moves when the
 * data says so); shadow and live use LiveClock. Nothing below the composition root
 * reads the wall clock, so a backtest is a pure function of its inputs.
 */
export interface Clock {
  now(): Millis;
  /** Repeating timer every `intervalMs`, first firing at now + intervalMs. Replaces a timer of the same name. */
  setTimer(name: string, intervalMs: number, callback: TimerCallback): void;
  /** One-shot alarm at `at`. */
  setAlarm(name: string, at: Millis, callback: TimerCallback): void;
  cancelTimer(name: string): void;
  timerNames(): string[];
}

interface Scheduled {
  name: string;
  next: Millis;
  interval: number;
  callback: TimerCallback;
}

/**
 * Deterministic clock: `advanceTo` fires every due timer in time order (ties by name)
 * before time reaches the target, so timers interleave with data exactly as they would
 * have in real time.
 */
export class TestClock implements Clock {
  private time: Millis;
  private readonly timers = new Map<string, Scheduled>();

  constructor(start: Millis = 0) {
    this.time = start;
  }

  now(): Millis {
    return this.time;
  }

  setTimer(name: string, intervalMs: number, callback: TimerCallback): void {
    if (!(intervalMs > 0)) throw new Error(`timer ${name}: interval must be > 0`);
    this.timers.set(name, { name, next: this.time + intervalMs, interval: intervalMs, callback });
  }

  setAlarm(name: string, at: Millis, callback: TimerCallback): void {
    this.timers.set(name, { name, next: at, interval: 0, callback });
  }

  cancelTimer(name: string): void {
    this.timers.delete(name);
  }

  timerNames(): string[] {
    return [...this.timers.keys()].sort();
  }

  /** Moves time forward to `target`, firing due timers on the way. Time never goes back. */
  advanceTo(target: Millis): void {
    if (target < this.time) throw new Error(`TestClock cannot go back from ${this.time} to ${target}`);
    if (this.timers.size > 0) this.fireDue(target);
    this.time = target;
  }

  private fireDue(target: Millis): void {
    for (;;) {
      let due: Scheduled | undefined;
      for (const t of this.timers.values()) {
        if (t.next <= target && (!due || t.next < due.next || (t.next === due.next && t.name < due.name)))
          due = t;
      }
      if (!due) return;
      this.time = Math.max(this.time, due.next);
      if (due.interval > 0) due.next += due.interval;
      else this.timers.delete(due.name);
      due.callback(due.name, this.time);
    }
  }
}
