import type { Millis } from '../core/time.js';
import type { Clock, TimerCallback } from '../kernel/Clock.js';

/** A timer or alarm a strategy asked for while warming up, armed when warm-up ends. */
type DeferredTimer =
  { readonly kind: 'timer'; readonly intervalMs: number } | { readonly kind: 'alarm'; readonly at: Millis };

/**
 * A strategy's timers and alarms on the node's clock. Names are the strategy's own: they are
 * keyed by strategy id on the shared clock so two strategies' "rebalance" never collide, and
 * all of them go when the strategy stops. Those asked for during warm-up wait here until it ends.
 */
export class StrategyTimers {
  /** Timer names armed on the clock, cancelled by `cancelAll`. */
  private readonly armed = new Set<string>();
  private readonly deferred = new Map<string, DeferredTimer>();

  constructor(
    private readonly clock: Clock,
    private readonly strategyId: string,
    /** Called with the strategy's own timer name when one fires. */
    private readonly fire: TimerCallback,
  ) {}

  setTimer(name: string, intervalMs: number): void {
    this.armed.add(name);
    this.clock.setTimer(this.key(name), intervalMs, (_n, ts) => this.fire(name, ts));
  }

  setAlarm(name: string, at: Millis): void {
    this.armed.add(name);
    this.clock.setAlarm(this.key(name), at, (_n, ts) => this.fire(name, ts));
  }

  /** A timer asked for during warm-up: armed by `armDeferred`. */
  deferTimer(name: string, intervalMs: number): void {
    this.deferred.set(name, { kind: 'timer', intervalMs });
  }

  /** An alarm asked for during warm-up: armed by `armDeferred` if its time is still ahead. */
  deferAlarm(name: string, at: Millis): void {
    this.deferred.set(name, { kind: 'alarm', at });
  }

  cancel(name: string): void {
    this.deferred.delete(name);
    this.clock.cancelTimer(this.key(name));
  }

  /**
   * Warm-up is over: the timers asked for meanwhile are armed; an alarm whose time passed
   * during warm-up is dropped (it belonged to the history, where no order could be sent).
   */
  armDeferred(now: Millis): void {
    for (const [name, t] of this.deferred) {
      if (t.kind === 'timer') this.setTimer(name, t.intervalMs);
      else if (t.at > now) this.setAlarm(name, t.at);
    }
    this.deferred.clear();
  }

  /** The strategy stopped: none of its timers fires again, none deferred is armed. */
  cancelAll(): void {
    for (const name of this.armed) this.clock.cancelTimer(this.key(name));
    this.armed.clear();
    this.deferred.clear();
  }

  private key(name: string): string {
    return `${this.strategyId}:${name}`;
  }
}
