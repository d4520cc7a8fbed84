import type { Order as CcxtOrder, Trade as CcxtTrade } from 'ccxt';
import type { CcxtExecutionClientOptions } from './CcxtExecutionClientOptions.js';
import { classifyExchangeError } from './classifyExchangeError.js';
import type { StreamHealthView } from './PrivateStreamHealth.js';
import { PrivateStreamHealth } from './PrivateStreamHealth.js';
import { privateSocketsOpen } from './privateSocketsOpen.js';

/** What the private streams need of the client's settings. */
export type PrivateStreamsOptions = Pick<
  CcxtExecutionClientOptions,
  'exchange' | 'capabilities' | 'gate' | 'now' | 'onProblem' | 'streamRetryMs' | 'streamConfirmMs'
>;

/** Where the private streams' news goes. */
export interface PrivateStreamListener {
  readonly trades: (trades: CcxtTrade[]) => void;
  readonly orders: (orders: CcxtOrder[]) => void;
  /** The streams were confirmed (again): from now on they cover every change. */
  readonly healthy: () => void;
}

/**
 * The account's private streams (ccxt.pro watchOrders/watchMyTrades): one watch loop per
 * stream the exchange has, and their health (PrivateStreamHealth), which decides how often
 * the REST sync must still look each order up.
 */
export class PrivateStreams {
  private streaming = false;
  /**
   * Which start the running loops belong to. A loop still awaiting its watch when the streams
   * are stopped and started again must end rather than run beside the new start's loops.
   */
  private generation = 0;
  private health: PrivateStreamHealth | undefined;

  constructor(
    private readonly opts: PrivateStreamsOptions,
    private readonly listener: PrivateStreamListener,
  ) {}

  /** Whether the watch loops run (started and not stopped). */
  get running(): boolean {
    return this.streaming;
  }

  /** Undefined until the streams were first started. */
  view(): StreamHealthView | undefined {
    return this.health?.view();
  }

  start(): void {
    if (this.streaming || !this.opts.capabilities.privateStreams) return;
    const ex = this.opts.exchange;
    const names = (['watchMyTrades', 'watchOrders'] as const).filter((n) => ex.has[n] === true);
    if (names.length === 0) return;
    this.streaming = true;
    const generation = ++this.generation;
    this.health = new PrivateStreamHealth(names, this.opts.streamConfirmMs ?? 1_000);
    this.health.setRunning(true, this.opts.now());
    // Not in the client's `pending`: a watch waits for news indefinitely, so idle() must not
    // wait for it; a loop ends when stop() is followed by closing the exchange.
    if (ex.has['watchMyTrades'] === true)
      void this.loop(generation, 'watchMyTrades', () => ex.watchMyTrades(), this.listener.trades).catch(
        () => undefined,
      );
    if (ex.has['watchOrders'] === true)
      void this.loop(generation, 'watchOrders', () => ex.watchOrders(), this.listener.orders).catch(
        () => undefined,
      );
  }

  stop(): void {
    this.streaming = false;
    this.health?.setRunning(false, this.opts.now());
  }

  private async loop<T>(
    generation: number,
    name: string,
    watch: () => Promise<T[]>,
    handle: (items: T[]) => void,
  ): Promise<void> {
    const health = this.health;
    if (health === undefined) return;
    const current = (): boolean => this.streaming && this.generation === generation;
    while (current()) {
      health.watching(name, this.opts.now());
      const confirming = health.subscribing(name) ? this.confirmWhilePending(health, name) : undefined;
      try {
        const items = await watch();
        clearTimeout(confirming?.timer);
        // ccxt hands the same news to every waiting watch: once the streams were started again,
        // the new start's loop reads it, and reading it here too would report it twice.
        if (this.generation !== generation) return;
        if (health.received(name, this.opts.now())) this.listener.healthy();
        handle(items);
      } catch (e) {
        clearTimeout(confirming?.timer);
        if (!current()) return;
        const c = classifyExchangeError(e, undefined, this.opts.now());
        health.failed(name, this.opts.now(), c.message);
        this.opts.onProblem?.('stream', c);
        if (c.retryAfterMs !== undefined) this.opts.gate.block(c.retryAfterMs);
        // A refused reconnection fails at once: pause so a dead stream is not hammered.
        await new Promise((r) => setTimeout(r, this.opts.streamRetryMs ?? 500));
        await this.opts.gate.run(() => Promise.resolve());
      }
    }
  }

  /**
   * While a (re)subscribing watch is pending, checks every `streamConfirmMs` whether it has
   * held long enough on open sockets to count as subscribed (a quiet account sends nothing).
   */
  private confirmWhilePending(health: PrivateStreamHealth, name: string): { timer?: NodeJS.Timeout } {
    const every = this.opts.streamConfirmMs ?? 1_000;
    const handle: { timer?: NodeJS.Timeout } = {};
    const check = (): void => {
      if (!this.streaming || !health.subscribing(name)) return;
      if (health.settled(name, this.opts.now(), privateSocketsOpen(this.opts.exchange)))
        this.listener.healthy();
      else if (health.subscribing(name)) arm();
    };
    const arm = (): void => {
      handle.timer = setTimeout(check, every);
      handle.timer.unref();
    };
    arm();
    return handle;
  }
}
