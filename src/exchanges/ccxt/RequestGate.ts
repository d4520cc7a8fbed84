import { QtsError } from '../../core/QtsError.js';

/** Settings of a RequestGate. */
export interface RequestGateOptions {
  /** Engine time (ms). */
  readonly now: () => number;
  /** Waits `ms` (real timers in live, instant in tests that drive time). */
  readonly sleep: (ms: number) => Promise<void>;
  /** Our own order budget on top of ccxt's weight limiter: at most this many orders… */
  readonly maxOrders: number;
  /** …per this window (ms). Exchanges count order rate separately from request weight. */
  readonly windowMs: number;
  /**
   * How long a failed call tells us to wait (429/418), if at all: every failure through the
   * gate closes it, whichever part of the engine made the call.
   */
  readonly retryAfter?: (err: unknown) => number | undefined;
  /**
   * Requests in flight at once (default 1). One at a time means the answer that closes the
   * gate is read before the next request leaves, so none is already on its way during a ban.
   */
  readonly maxConcurrent?: number;
}

/**
 * The one door every private request of the execution client goes through. A 429 or 418
 * closes it until the time the exchange named (Retry-After or "banned until"); while it is
 * closed no request leaves, whatever part of the engine asks — a request sent during a ban
 * lengthens the ban. Orders additionally spend a sliding-window budget so a burst of
 * strategy orders queues here instead of earning a 429.
 */
export class RequestGate {
  private closedUntil = 0;
  private readonly orderTimes: number[] = [];
  /** Requests let through while the gate was closed: must stay 0 (chaos runs assert it). */
  requestsDuringBan = 0;
  /** How many times the exchange closed the gate. */
  closures = 0;

  constructor(private readonly opts: RequestGateOptions) {
    if (!(opts.maxOrders >= 1) || !(opts.windowMs > 0))
      throw new QtsError(
        'ERR_CONFIG',
        `order budget must be ≥1 per >0 ms, got ${opts.maxOrders}/${opts.windowMs}`,
      );
  }

  /** The exchange said wait `ms`: nothing goes out before now + ms (a later end wins). */
  block(ms: number): void {
    const until = this.opts.now() + Math.max(0, ms);
    if (until > this.closedUntil) this.closedUntil = until;
    this.closures += 1;
  }

  /** When the gate opens again (engine ms), or 0 when open. */
  blockedUntil(): number {
    return this.closedUntil > this.opts.now() ? this.closedUntil : 0;
  }

  /** Runs `call` once the gate is open (and, for orders, once the budget allows one more). */
  async run<T>(call: () => Promise<T>, isOrder = false): Promise<T> {
    await this.acquire();
    try {
      await this.waitOpen(isOrder);
      if (this.opts.now() < this.closedUntil) this.requestsDuringBan += 1;
      return await call();
    } catch (e) {
      const wait = this.opts.retryAfter?.(e);
      if (wait !== undefined) this.block(wait);
      throw e;
    } finally {
      this.release();
    }
  }

  private active = 0;
  private readonly waiters: (() => void)[] = [];

  private async acquire(): Promise<void> {
    while (this.active >= (this.opts.maxConcurrent ?? 1))
      await new Promise<void>((r) => this.waiters.push(r));
    this.active += 1;
  }

  private release(): void {
    this.active -= 1;
    this.waiters.shift()?.();
  }

  private async waitOpen(isOrder: boolean): Promise<void> {
    for (;;) {
      const now = this.opts.now();
      if (now < this.closedUntil) {
        await this.opts.sleep(this.closedUntil - now);
        continue;
      }
      if (!isOrder) return;
      while (this.orderTimes.length > 0 && (this.orderTimes[0] as number) <= now - this.opts.windowMs)
        this.orderTimes.shift();
      if (this.orderTimes.length < this.opts.maxOrders) {
        this.orderTimes.push(now);
        return;
      }
      await this.opts.sleep((this.orderTimes[0] as number) + this.opts.windowMs - now);
    }
  }
}
