import type { Logger } from 'pino';
import type { ComponentHealth } from '../api/EngineStatus.js';
import type { LiveConfig } from '../config/configSchema.js';
import { QtsError } from '../core/QtsError.js';
import type { CcxtExecutionClient } from '../exchanges/ccxt/CcxtExecutionClient.js';
import type { RequestGate } from '../exchanges/ccxt/RequestGate.js';
import type { Fixed } from '../core/Fixed.js';
import { ZERO, toFixed } from '../core/Fixed.js';
import type { ExecutionClient, ExecutionReportSink } from '../execution/ExecutionClient.js';
import type { ContingentMember, EmulatorAction, ParentView } from '../execution/OrderEmulator.js';
import { planGroup } from '../execution/OrderEmulator.js';
import type { Bar, Trade } from '../model/Bar.js';
import type { OrderEventInput } from '../model/events.js';
import type { Order } from '../model/Order.js';
import type { AmendTerms } from '../model/OrderAmend.js';
import type { LiveReconciler } from './LiveReconciler.js';
import type { RuntimeVenue } from './RuntimeVenue.js';

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
 * The venue order id an emulated order is accepted under: the engine holds it, the exchange
 * has never seen it. It stays the journaled id after release (the exchange's own id is read
 * by client order id), so a restart tells emulated children from ordinary orders.
 */
export const EMULATED_VENUE_ID = 'EMULATED';

/** What the contingent-order emulator reads of the engine. */
export interface EmulationContext {
  /** An order by id: the OMS's, or the journal's for one no longer in memory (a filled parent). */
  readonly order: (orderId: string) => Order | undefined;
  /** Spot markets know no reduce-only flag: a released child goes without it (its size is the guard). */
  readonly isSpot: (symbol: string) => boolean;
  /**
   * The position a released child may close at most (spot: the base held, which a fee taken
   * in the base leaves below what the entry filled); undefined: no cap beyond the group's.
   */
  readonly closable?: (symbol: string) => Fixed | undefined;
}

/** Whether an order is a contingent one the engine emulates (bracket child or OCO member). */
export function isContingent(order: Order): boolean {
  return order.request.parentId !== undefined || order.request.ocoGroup !== undefined;
}

/**
 * Live mode's venue: the ccxt execution client, its REST sync and private streams, and the
 * reconciliation that must agree with the exchange before any strategy starts.
 *
 * Contingent orders (bracket children, OCO members) are emulated here, since an exchange
 * would fill them independently: held by the engine (accepted under EMULATED_VENUE_ID), and
 * released as a MARKET or LIMIT under their own client order id once the market price sets
 * them off, sized by planGroup (src/execution/OrderEmulator.ts) to what is left to protect.
 */
export class LiveVenue implements RuntimeVenue {
  readonly resolution: ResolutionStats;
  /** Where the OMS sends orders: contingent ones are held here, the rest go to `client`. */
  readonly orderClient: ExecutionClient;
  /** Contingent orders held by the engine, by id. */
  private readonly held = new Map<string, Order>();
  /** Contingent orders released to the exchange and not ended: what each was sent for. */
  private readonly released = new Map<string, { order: Order; sentQty: Fixed }>();
  /** Cancels already asked of the exchange for released members (asked once). */
  private readonly cancelAsked = new Set<string>();
  private readonly lastPrice = new Map<string, Fixed>();
  private sink: ExecutionReportSink = () => undefined;
  private planning = false;
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
    private readonly emulation?: EmulationContext,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.resolution = { resolved: 0, maxUnknownMs: 0, maxAvailableMs: 0, boundMs: resolutionBoundMs(live) };
    this.orderClient = {
      venue: client.venue,
      submit: (order) => this.submit(order),
      cancel: (order, reason) => this.cancel(order, reason),
      amend: (order: Order, terms: AmendTerms) => {
        if (this.held.has(order.id))
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
    return this.held.size;
  }

  /** Whether the engine holds this order itself (the reconciler does not look for it at the exchange). */
  holds(orderId: string): boolean {
    return this.held.has(orderId);
  }

  private submit(order: Order): void {
    if (this.emulation === undefined || !isContingent(order)) {
      this.client.submit(order);
      return;
    }
    this.held.set(order.id, order);
    this.report({ type: 'OrderAccepted', venueOrderId: EMULATED_VENUE_ID, ...this.about(order) });
    this.plan(order.symbol);
  }

  private cancel(order: Order, reason: string): void {
    if (this.held.has(order.id)) {
      this.cancelLocally(order, reason);
      this.plan(order.symbol);
      return;
    }
    this.client.cancel(order, reason);
  }

  private cancelLocally(order: Order, reason: string): void {
    this.held.delete(order.id);
    this.report({ type: 'OrderCanceled', reason, ...this.about(order) });
  }

  private about(order: Order): { orderId: string; strategyId: string; symbol: string; ts: number } {
    return { orderId: order.id, strategyId: order.strategyId, symbol: order.symbol, ts: this.now() };
  }

  private report(event: OrderEventInput): void {
    try {
      this.sink(event);
    } catch (e) {
      this.log.warn({ err: e, orderId: event.orderId }, `emulator report ${event.type} refused`);
    }
  }

  /** Every report reaches the OMS first; then the groups of that symbol are planned again. */
  private onReport(event: OrderEventInput): void {
    this.sink(event);
    const r = this.released.get(event.orderId);
    if (r !== undefined && r.order.isTerminal) {
      this.released.delete(event.orderId);
      this.cancelAsked.delete(event.orderId);
    }
    if (this.held.size > 0 || this.released.size > 0) this.plan(event.symbol);
  }

  /**
   * Plans every contingent group of `symbol` on the last price and applies the actions. Runs
   * again while actions change something (a sibling canceled frees its share), and never
   * re-enters itself: reports it causes are planned by the pass under way.
   */
  private plan(symbol: string): void {
    if (this.planning || this.emulation === undefined) return;
    this.planning = true;
    try {
      for (let pass = 0; pass < 8; pass++) {
        let changed = false;
        for (const members of this.groups(symbol).values()) {
          const actions = planGroup(
            members.map((m) => this.memberOf(m)),
            this.parentOf(members),
            this.lastPrice.get(symbol),
            this.emulation?.closable?.(symbol),
          );
          for (const a of actions) changed = this.act(a) || changed;
        }
        if (!changed) break;
      }
    } finally {
      this.planning = false;
    }
  }

  /** The open contingent orders of a symbol, by group (OCO group, or the order itself). */
  private groups(symbol: string): Map<string, Order[]> {
    const out = new Map<string, Order[]>();
    const add = (o: Order): void => {
      if (o.symbol !== symbol) return;
      const key = o.request.ocoGroup ?? o.id;
      const g = out.get(key);
      if (g === undefined) out.set(key, [o]);
      else g.push(o);
    };
    for (const o of this.held.values()) add(o);
    for (const r of this.released.values()) add(r.order);
    // Members that ended still count with what they filled: they come from the OMS (or journal).
    for (const [key, g] of out) {
      const group = g[0]?.request.ocoGroup;
      if (group === undefined) continue;
      for (const id of this.siblingIds(group)) {
        if (g.some((o) => o.id === id)) continue;
        const done = this.emulation?.order(id);
        if (done !== undefined) g.push(done);
      }
      out.set(key, g);
    }
    return out;
  }

  /** Ids of every member ever seen of an OCO group (ended ones included). */
  private readonly groupMembers = new Map<string, Set<string>>();

  private siblingIds(group: string): Set<string> {
    return this.groupMembers.get(group) ?? new Set();
  }

  private remember(order: Order): void {
    const group = order.request.ocoGroup;
    if (group === undefined) return;
    let s = this.groupMembers.get(group);
    if (s === undefined) this.groupMembers.set(group, (s = new Set()));
    s.add(order.id);
  }

  private memberOf(o: Order): ContingentMember {
    const r = o.request;
    this.remember(o);
    const sent = this.released.get(o.id);
    return {
      id: o.id,
      side: r.side,
      type: r.type,
      quantity: r.quantity,
      price: r.price,
      triggerPrice: r.triggerPrice,
      state: this.held.has(o.id) ? 'held' : sent !== undefined && !o.isTerminal ? 'sent' : 'done',
      filledQty: o.filledQty,
      sentQty: sent?.sentQty ?? o.quantity,
    };
  }

  private parentOf(members: readonly Order[]): ParentView | undefined {
    const parentId = members.find((m) => m.request.parentId !== undefined)?.request.parentId;
    if (parentId === undefined) return undefined;
    const p = this.emulation?.order(parentId);
    // A parent nobody knows (lost journal) protects nothing: its children must not trade.
    if (p === undefined) return { filledQty: ZERO, done: true };
    return { filledQty: p.filledQty, done: p.isTerminal };
  }

  /** Applies one action; whether it changed the emulator's state. */
  private act(a: EmulatorAction): boolean {
    switch (a.kind) {
      case 'cancel-local': {
        const o = this.held.get(a.orderId);
        if (o === undefined) return false;
        this.cancelLocally(o, a.reason);
        return true;
      }
      case 'cancel-venue': {
        const r = this.released.get(a.orderId);
        if (r === undefined || this.cancelAsked.has(a.orderId)) return false;
        this.cancelAsked.add(a.orderId);
        this.client.cancel(r.order, a.reason);
        return false;
      }
      case 'release': {
        const o = this.held.get(a.orderId);
        if (o === undefined) return false;
        this.held.delete(o.id);
        const spot = this.emulation?.isSpot(o.symbol) ?? false;
        const held = this.emulation?.closable?.(o.symbol);
        const quantity = held !== undefined && held < a.quantity ? held : a.quantity;
        this.released.set(o.id, { order: o, sentQty: quantity });
        // Journaled before anything leaves: after a crash, a TRIGGERED emulated order is one
        // that may have reached the exchange, and is looked up, never sent again.
        this.report({ type: 'OrderTriggered', ...this.about(o) });
        if (quantity <= ZERO) {
          this.released.delete(o.id);
          this.report({ type: 'OrderCanceled', reason: 'EMULATOR_NO_POSITION_TO_CLOSE', ...this.about(o) });
          return true;
        }
        this.client.submit(o, {
          ...o.request,
          type: a.type,
          quantity,
          price: a.type === 'LIMIT' ? a.price : undefined,
          triggerPrice: undefined,
          reduceOnly: !spot,
          parentId: undefined,
          ocoGroup: undefined,
        });
        this.log.info(
          { orderId: o.id, type: a.type, quantity: String(quantity) },
          'emulated contingent order released to the exchange',
        );
        return true;
      }
    }
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
    this.client.setSink((event) => this.onReport(event));
  }

  adopt(order: Order): void {
    if (order.venueOrderId !== EMULATED_VENUE_ID || this.emulation === undefined) {
      this.client.adopt(order);
      return;
    }
    this.remember(order);
    if (order.status === 'ACCEPTED') {
      // Held before the restart: it keeps protecting the position from here.
      this.held.set(order.id, order);
      return;
    }
    // Released before the restart: the exchange may or may not have it. Never sent again; an
    // order not acknowledged is of unknown outcome and looked up by its client order id.
    this.released.set(order.id, { order, sentQty: order.quantity });
    this.client.adopt(order, order.status === 'TRIGGERED');
  }

  /** The exchange matches its own orders; emulated ones are set off by the price here. */
  onClosedBar(bar: Bar): void {
    this.onPrice(bar.symbol, bar.close);
  }

  onTrade(trade: Trade): void {
    this.onPrice(trade.symbol, trade.price);
  }

  private onPrice(symbol: string, price: number): void {
    if (this.emulation === undefined || !Number.isFinite(price)) return;
    this.lastPrice.set(symbol, toFixed(price));
    if (this.held.size > 0 || this.released.size > 0) this.plan(symbol);
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
      await this.client.sync();
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
        detail: `${unknown.length} order(s) of unknown outcome (${stuck.length} past ${bound} ms of exchange availability)${banned ? `; exchange requests paused until ${new Date(banned).toISOString()}` : ''}; ${this.held.size} contingent order(s) emulated by the engine, ${this.released.size} released`,
      },
    ];
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
