import type { Logger } from 'pino';
import type { ComponentHealth } from '../api/EngineStatus.js';
import type { LiveConfig } from '../config/configSchema.js';
import { QtsError } from '../core/QtsError.js';
import type { CcxtExecutionClient } from '../exchanges/ccxt/CcxtExecutionClient.js';
import type { RequestGate } from '../exchanges/ccxt/RequestGate.js';
import type { ExecutionClient, ExecutionReportSink } from '../execution/ExecutionClient.js';
import type { Bar, Trade } from '../model/Bar.js';
import type { OrderEventInput } from '../model/events.js';
import type { Order } from '../model/Order.js';
import type { AmendTerms } from '../model/OrderAmend.js';
import type { EmulationContext } from './ContingentEmulator.js';
import { ContingentEmulator } from './ContingentEmulator.js';
import { EMULATED_VENUE_ID, isContingent } from './contingentOrders.js';
import type { LiveReconciler } from './LiveReconciler.js';
import type { RuntimeVenue } from './RuntimeVenue.js';

// The emulator's names, as importers of the live venue have always found them here.
export { EMULATED_VENUE_ID, isContingent } from './contingentOrders.js';
export type { EmulationContext } from './ContingentEmulator.js';

/**
 * The bound on how long an order may stay of unknown outcome, counted in time the exchange
 * was available: time during which the gate was closed by a 429/418 (nothing may be asked)
 * or a request through it went unanswered (timeout, dropped connection, 5xx) does not count.
 * Within the rest, an order still unknown is looked up every `syncIntervalMs`; the exchange's
 * first definitive "no such order" at or after `resolveWithinMs` rejects it, any sighting
 * resolves it at once. So: resolveWithinMs, plus one sync period for the next lookup to
 * start, plus one request timeout for the answered requests ahead of it and its own answer.
 */
export function resolutionBoundMs(live: LiveConfig): number {
  return live.resolveWithinMs + live.syncIntervalMs + live.requestTimeoutMs;
}

/** How long orders stayed of unknown outcome, over the venue's life. */
export interface ResolutionStats {
  /** Orders of unknown outcome resolved (found on the exchange, or rejected after the bound). */
  resolved: number;
  /** Longest wall-clock time one was unknown (ms). */
  maxUnknownMs: number;
  /** Longest such time without the exchange's unavailable time: what the bound applies to (ms). */
  maxAvailableMs: number;
  /** resolutionBoundMs of the configuration. */
  readonly boundMs: number;
}

/**
 * Live mode's venue: the ccxt execution client, its REST sync and private streams, and the
 * reconciliation that must agree with the exchange before any strategy starts.
 *
 * Contingent orders (bracket children, OCO members) are emulated by the engine, since an
 * exchange would fill them independently: given an EmulationContext, they go to a
 * ContingentEmulator (./ContingentEmulator.ts), which holds them and releases them to the
 * exchange once the market price sets them off.
 */
export class LiveVenue implements RuntimeVenue {
  readonly resolution: ResolutionStats;
  /** Where the OMS sends orders: contingent ones are held here, the rest go to `client`. */
  readonly orderClient: ExecutionClient;
  /** Holds and releases contingent orders; undefined: no emulation, every order goes to `client`. */
  private readonly emulator: ContingentEmulator | undefined;
  private sink: ExecutionReportSink = () => undefined;
  private syncTimer: NodeJS.Timeout | undefined;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private syncing = false;
  private reconciling = false;
  private stopped = false;

  constructor(
    readonly client: CcxtExecutionClient,
    readonly reconciler: LiveReconciler,
    private readonly gate: RequestGate,
    private readonly live: LiveConfig,
    private readonly log: Logger,
    private readonly close: () => Promise<void>,
    /** Runs once before the first reconciliation (perpetuals: leverage and margin mode); its error stops the start. */
    private readonly beforeReconcile?: () => Promise<void>,
    emulation?: EmulationContext,
    now: () => number = () => Date.now(),
  ) {
    this.emulator = emulation === undefined ? undefined : new ContingentEmulator(client, emulation, log, now);
    this.resolution = { resolved: 0, maxUnknownMs: 0, maxAvailableMs: 0, boundMs: resolutionBoundMs(live) };
    this.orderClient = {
      venue: client.venue,
      submit: (order) => this.submit(order),
      cancel: (order, reason) => this.cancel(order, reason),
      amend: (order: Order, terms: AmendTerms) => {
        if (this.emulator?.holds(order.id) === true)
          throw new QtsError(
            'ERR_AMEND_EMULATED',
            `order ${order.id} is held by the engine's emulator, not at the exchange`,
          );
        return client.amend(order, terms);
      },
    };
  }

  /** Contingent orders the engine holds (not at the exchange). */
  heldCount(): number {
    return this.emulator?.heldCount() ?? 0;
  }

  /** Whether the engine holds this order itself (the reconciler does not look for it at the exchange). */
  holds(orderId: string): boolean {
    return this.emulator?.holds(orderId) ?? false;
  }

  private submit(order: Order): void {
    if (this.emulator === undefined || !isContingent(order)) {
      this.client.submit(order);
      return;
    }
    this.emulator.hold(order);
  }

  private cancel(order: Order, reason: string): void {
    if (this.emulator === undefined) this.client.cancel(order, reason);
    else this.emulator.cancel(order, reason);
  }

  /** Every report reaches the OMS first; then the emulator plans the groups of that symbol again. */
  private onReport(event: OrderEventInput): void {
    this.sink(event);
    this.emulator?.onReport(event);
  }

  /** The client resolved an order that was of unknown outcome since `since` (engine ms). */
  noteResolved(since: number, now: number = Date.now()): void {
    const r = this.resolution;
    r.resolved += 1;
    r.maxUnknownMs = Math.max(r.maxUnknownMs, now - since);
    r.maxAvailableMs = Math.max(r.maxAvailableMs, now - since - this.gate.unavailableMs(since, now));
  }

  /** Orders still of unknown outcome: wall age and age in exchange-available time (ms). */
  unknownOrders(now: number = Date.now()): { orderId: string; ageMs: number; availableMs: number }[] {
    return this.client.unknownOrders().map((u) => ({
      ...u,
      availableMs: u.ageMs - this.gate.unavailableMs(now - u.ageMs, now),
    }));
  }

  connect(sink: ExecutionReportSink): void {
    this.sink = sink;
    this.emulator?.connect(sink);
    this.client.setSink((event) => this.onReport(event));
  }

  adopt(order: Order): void {
    if (order.venueOrderId !== EMULATED_VENUE_ID || this.emulator === undefined) {
      this.client.adopt(order);
      return;
    }
    this.emulator.adopt(order);
  }

  /** The exchange matches its own orders; emulated ones are set off by the price here. */
  onClosedBar(bar: Bar): void {
    this.emulator?.onPrice(bar.symbol, bar.close);
  }

  onTrade(trade: Trade): void {
    this.emulator?.onPrice(trade.symbol, trade.price);
  }

  /**
   * Reconciles until the account agrees with the exchange (in-flight orders resolved within
   * their bound), then starts the periodic sync, streams and reconciliation. Gives up with
   * ERR_RECONCILIATION_FAILED after twice the resolution bound: trading on books that
   * disagree with the exchange is worse than not trading.
   */
  async prepare(): Promise<void> {
    await this.beforeReconcile?.();
    const deadline = Date.now() + 2 * this.live.resolveWithinMs;
    for (;;) {
      if (this.stopped)
        throw new QtsError('ERR_RECONCILIATION_FAILED', 'stopped before reconciliation ended');
      try {
        if (await this.reconciler.run('startup')) break;
      } catch (e) {
        this.log.warn({ err: e }, 'startup reconciliation: exchange unreachable, retrying');
      }
      if (Date.now() > deadline)
        throw new QtsError(
          'ERR_RECONCILIATION_FAILED',
          `the account does not agree with the exchange after ${2 * this.live.resolveWithinMs} ms: ${this.reconciler.component().detail}`,
        );
      await new Promise((r) => setTimeout(r, this.live.syncIntervalMs));
    }
    if (this.live.streams) this.client.startStreams();
    this.syncTimer = setInterval(() => void this.sync(), this.live.syncIntervalMs);
    this.reconcileTimer = setInterval(() => void this.reconcile(), this.live.reconcileIntervalMs);
  }

  private async sync(): Promise<void> {
    if (this.syncing || this.stopped) return;
    this.syncing = true;
    try {
      // Paced: orders the healthy private streams cover are looked up only every streamSyncIntervalMs.
      await this.client.syncDue(this.live.streamSyncIntervalMs);
    } finally {
      this.syncing = false;
    }
  }

  /**
   * One periodic pass at a time: a pass held up by a ban or a slow exchange must not have
   * the next ones pile up behind it in the gate and burst out when it opens.
   */
  private async reconcile(): Promise<void> {
    if (this.reconciling || this.stopped) return;
    this.reconciling = true;
    try {
      await this.reconciler.run('periodic');
    } catch (e) {
      this.log.warn({ err: e }, 'periodic reconciliation failed; retried next period');
    } finally {
      this.reconciling = false;
    }
  }

  components(): ComponentHealth[] {
    const unknown = this.unknownOrders();
    const bound = this.resolution.boundMs;
    const stuck = unknown.filter((u) => u.availableMs > bound);
    const banned = this.gate.blockedUntil();
    return [
      this.reconciler.component(),
      {
        name: 'execution',
        ready: stuck.length === 0 && banned === 0,
        detail: `${unknown.length} order(s) of unknown outcome (${stuck.length} past ${bound} ms of exchange availability)${banned ? `; exchange requests paused until ${new Date(banned).toISOString()}` : ''}; ${this.emulator?.heldCount() ?? 0} contingent order(s) emulated by the engine, ${this.emulator?.releasedCount() ?? 0} released; ${this.syncPaceDetail()}`,
      },
    ];
  }

  /** The REST sync's pace and why: the private streams' health decides it. */
  private syncPaceDetail(): string {
    const p = this.client.syncPace();
    const fast = `every ${this.live.syncIntervalMs} ms`;
    if (p.streams !== 'healthy') return `${p.detail}; REST order sync ${fast} for every order`;
    return `${p.detail}; REST order sync every ${this.live.streamSyncIntervalMs} ms for ${p.slowOrders} order(s) the streams cover, ${fast} for ${p.fastOrders} other(s)`;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.syncTimer !== undefined) clearInterval(this.syncTimer);
    if (this.reconcileTimer !== undefined) clearInterval(this.reconcileTimer);
    this.client.stopStreams();
    await this.client.idle();
    await this.close();
  }
}
