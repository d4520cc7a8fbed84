/** The timer functions a Throttle uses (tests hand in a manual scheduler). */
export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const REAL_TIMERS: Timers = {
  set: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

/**
 * Rate-limits a state update: the first trigger after a quiet period emits at once; triggers
 * within `intervalMs` of the last emit are coalesced into one trailing emit at the end of the
 * interval. The emit callback reads the latest state itself, so nothing is ever emitted
 * stale and the last change is never lost.
 */
export class Throttle {
  private lastEmit = Number.NEGATIVE_INFINITY;
  private timer: unknown;
  private scheduled = false;
  private disposed = false;

  constructor(
    private readonly intervalMs: number,
    private readonly emit: () => void,
    private readonly now: () => number,
    private readonly timers: Timers = REAL_TIMERS,
  ) {}

  trigger(): void {
    if (this.disposed || this.scheduled) return;
    const t = this.now();
    const wait = this.lastEmit + this.intervalMs - t;
    if (wait <= 0) {
      this.fire(t);
      return;
    }
    this.scheduled = true;
    this.timer = this.timers.set(() => {
      this.scheduled = false;
      if (!this.disposed) this.fire(this.now());
    }, wait);
  }

  /** Drops a pending emit (an event that supersedes it is being sent now). */
  cancel(): void {
    if (this.scheduled) this.timers.clear(this.timer);
    this.scheduled = false;
  }

  dispose(): void {
    this.cancel();
    this.disposed = true;
  }

  private fire(t: number): void {
    this.lastEmit = t;
    this.emit();
  }
}
