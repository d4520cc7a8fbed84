import type { Exchange } from 'ccxt';
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
  /**
   * Whether a failed call got no trustworthy answer from the exchange (timeout, dropped
   * connection, 5xx, 429/418): the time it took counts as time the exchange was unavailable.
   * Default: every failure is an answer.
   */
  readonly unanswered?: (err: unknown) => boolean;
}

/** How long the outage history is kept (ms): far longer than any resolution bound. */
const OUTAGE_HISTORY_MS = 3_600_000;

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
  /**
   * When the exchange could not be asked anything (gate closed by a ban) or did not answer
   * (a call through the gate failed without an answer), as disjoint [from, to) intervals in
   * engine ms, oldest first. Calls go one at a time, so while one is unanswered no other
   * could have been answered either.
   */
  private readonly outages: { from: number; to: number }[] = [];

  constructor(private readonly opts: RequestGateOptions) {
    if (!(opts.maxOrders >= 1) || !(opts.windowMs > 0))
      throw new QtsError(
        'ERR_CONFIG',
        `order budget must be ≥1 per >0 ms, got ${opts.maxOrders}/${opts.windowMs}`,
      );
  }

  /** The exchange said wait `ms`: nothing goes out before now + ms (a later end wins). */
  block(ms: number): void {
    const now = this.opts.now();
    const until = now + Math.max(0, ms);
    if (until > this.closedUntil) this.closedUntil = until;
    this.closures += 1;
    this.noteOutage(now, until);
  }

  /**
   * How much of [from, to) the exchange was unavailable: the gate closed by a ban, or a call
   * through it failing without an answer. Resolution bounds are measured without this time:
   * nothing can be learned from an exchange that may not be asked or does not answer.
   */
  unavailableMs(from: number, to: number = this.opts.now()): number {
    let ms = 0;
    for (const o of this.outages) {
      const a = Math.max(from, o.from);
      const b = Math.min(to, o.to);
      if (b > a) ms += b - a;
    }
    return ms;
  }

  /**
   * Puts every HTTP request of another ccxt instance that talks to the same host (the
   * market-data instance) through this gate too: a ban is per IP, so a public request sent
   * during it counts as much as a private one, and would lengthen it. Its requests wait for
   * the gate, go one at a time with ours, and a 429/418 they get closes the gate for
   * everyone (`retryAfter` reads that instance's answer). Patches `exchange.fetch`, the one
   * method every ccxt REST call ends in.
   */
  guard(exchange: Exchange, retryAfter: (err: unknown) => number | undefined): void {
    const target = exchange as unknown as { fetch: (...args: unknown[]) => Promise<unknown> };
    const fetch = target.fetch.bind(exchange);
    target.fetch = (...args) =>
      this.run(async () => {
        try {
          return await fetch(...args);
        } catch (e) {
          const wait = retryAfter(e);
          if (wait !== undefined) this.block(wait);
          throw e;
        }
      });
  }

  /** When the gate opens again (engine ms), or 0 when open. */
  blockedUntil(): number {
    return this.closedUntil > this.opts.now() ? this.closedUntil : 0;
  }

  /**
   * Runs `call` once the gate is open (and, for orders, once the budget allows one more).
   * `urgent` calls (order placement, amend, cancel: the default for orders) take the next free
   * turn ahead of every routine request still waiting — order lookups, sync polling,
   * reconciliation, market-data backfill — so a strategy's order never queues behind them.
   * Routine requests keep their arrival order among themselves.
   */
  async run<T>(call: () => Promise<T>, isOrder = false, urgent = isOrder): Promise<T> {
    const asked = this.opts.now();
    await this.acquire(urgent);
    let started: number | undefined;
    try {
      await this.waitOpen(isOrder, urgent);
      started = this.opts.now();
      if (started < this.closedUntil) this.requestsDuringBan += 1;
      this.noteQueued(urgent, started - asked);
      return await call();
    } catch (e) {
      if (started !== undefined && this.opts.unanswered?.(e) === true)
        this.noteOutage(started, this.opts.now());
      const wait = this.opts.retryAfter?.(e);
      if (wait !== undefined) this.block(wait);
      throw e;
    } finally {
      this.release();
    }
  }

  /**
   * How long calls waited for their turn (ban, budget and queue alike), per lane: `urgent`
   * (orders, cancels) and `routine` (everything else). Longest and total (ms), and count.
   */
  readonly queued = {
    urgent: { calls: 0, totalMs: 0, maxMs: 0 },
    routine: { calls: 0, totalMs: 0, maxMs: 0 },
  };

  private noteQueued(urgent: boolean, ms: number): void {
    const q = urgent ? this.queued.urgent : this.queued.routine;
    q.calls += 1;
    q.totalMs += ms;
    if (ms > q.maxMs) q.maxMs = ms;
  }

  private noteOutage(from: number, to: number): void {
    if (!(to > from)) return;
    // Usually the newest interval extends or follows the last one; merge it wherever it falls.
    let i = this.outages.length;
    while (i > 0 && (this.outages[i - 1] as { to: number }).to >= from) i--;
    let merged = { from, to };
    while (i < this.outages.length && (this.outages[i] as { from: number }).from <= merged.to) {
      const o = this.outages.splice(i, 1)[0] as { from: number; to: number };
      merged = { from: Math.min(o.from, merged.from), to: Math.max(o.to, merged.to) };
    }
    this.outages.splice(i, 0, merged);
    while ((this.outages[0]?.to ?? Infinity) < to - OUTAGE_HISTORY_MS) this.outages.shift();
  }

  private active = 0;
  /** Calls waiting for a turn: urgent ones are handed the next free turn first. */
  private readonly waiting: { urgent: (() => void)[]; routine: (() => void)[] } = {
    urgent: [],
    routine: [],
  };

  private async acquire(urgent: boolean): Promise<void> {
    const queue = urgent ? this.waiting.urgent : this.waiting.routine;
    // A free turn goes to whoever waits already: a newcomer does not overtake its lane.
    if (
      this.active < (this.opts.maxConcurrent ?? 1) &&
      queue.length === 0 &&
      this.waiting.urgent.length === 0
    ) {
      this.active += 1;
      return;
    }
    // The turn is handed over by release() with `active` left as it is.
    await new Promise<void>((r) => queue.push(r));
  }

  private release(): void {
    const next = this.waiting.urgent.shift() ?? this.waiting.routine.shift();
    if (next) next();
    else this.active -= 1;
  }

  /**
   * Holds the turn only for the instant the call leaves: a call that must wait (ban, or an
   * order over budget) gives its turn back while it sleeps, so requests that are free to go
   * are not stuck behind it, and queues again (in its lane) when it wakes.
   */
  private async waitOpen(isOrder: boolean, urgent: boolean): Promise<void> {
    for (;;) {
      const now = this.opts.now();
      let waitMs = 0;
      if (now < this.closedUntil) waitMs = this.closedUntil - now;
      else if (isOrder) {
        while (this.orderTimes.length > 0 && (this.orderTimes[0] as number) <= now - this.opts.windowMs)
          this.orderTimes.shift();
        if (this.orderTimes.length < this.opts.maxOrders) {
          this.orderTimes.push(now);
          return;
        }
        waitMs = (this.orderTimes[0] as number) + this.opts.windowMs - now;
      } else return;
      this.release();
      await this.opts.sleep(waitMs);
      await this.acquire(urgent);
    }
  }
}
