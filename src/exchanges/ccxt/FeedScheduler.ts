import type { Clock } from '../../kernel/Clock.js';

/**
 * The timers of one feed, on its Clock: repeating checks and the waits of backoff loops.
 * `stop()` cancels every timer and wakes every sleeper at once, so loops waiting out a
 * 30 s backoff end immediately and nothing is left on the event loop.
 */
export class FeedScheduler {
  private readonly names = new Set<string>();
  private readonly sleepers = new Set<() => void>();
  private seq = 0;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly prefix: string,
  ) {}

  /** Runs `fn` every `ms` until stop. */
  every(ms: number, fn: () => void): void {
    if (this.stopped) return;
    const name = this.nextName();
    this.names.add(name);
    this.clock.setTimer(name, ms, () => {
      if (!this.stopped) fn();
    });
  }

  /** Resolves after `ms`, or at once when stopped. */
  sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const name = this.nextName();
      const wake = (): void => {
        this.sleepers.delete(wake);
        this.names.delete(name);
        this.clock.cancelTimer(name);
        resolve();
      };
      this.sleepers.add(wake);
      this.names.add(name);
      this.clock.setAlarm(name, this.clock.now() + ms, wake);
    });
  }

  stop(): void {
    this.stopped = true;
    for (const n of this.names) this.clock.cancelTimer(n);
    this.names.clear();
    for (const wake of [...this.sleepers]) wake();
  }

  private nextName(): string {
    return `${this.prefix}#${this.seq++}`;
  }
}
