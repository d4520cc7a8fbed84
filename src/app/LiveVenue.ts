import type { Logger } from 'pino';
import type { ComponentHealth } from '../api/EngineStatus.js';
import type { LiveConfig } from '../config/configSchema.js';
import { QtsError } from '../core/QtsError.js';
import type { CcxtExecutionClient } from '../exchanges/ccxt/CcxtExecutionClient.js';
import type { RequestGate } from '../exchanges/ccxt/RequestGate.js';
import type { Fixed } from '../core/Fixed.js';
import { ZERO, add, sub, toFixed } from '../core/Fixed.js';
import type { ExecutionClient, ExecutionReportSink } from '../execution/ExecutionClient.js';
import type { ContingentMember, EmulatorAction, ParentView } from '../execution/OrderEmulator.js';
import { planGroup } from '../execution/OrderEmulator.js';
import type { Bar, Trade } from '../model/Bar.js';
import type { OrderEventInput } from '../model/events.js';
import type { Order } from '../model/Order.js';
import type { AmendTerms } from '../model/OrderAmend.js';
import type { OrderRequest } from '../model/OrderRequest.js';
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
  /**
   * Submits a new order as any other (the OMS names and journals it, risk judges it): how a
   * leg of a bracket is continued when the entry fills after the leg went out. Without it, a
   * leg that went out covers only what the entry had filled then.
   */
  readonly submit?: (strategyId: string, request: OrderRequest) => Order;
}

/** Whether an order is a contingent one the engine emulates (bracket child or OCO member). */
export function isContingent(order: Order): boolean {
  return order.request.parentId !== undefined || order.request.ocoGroup !== undefined;
}

/**
 * The group an emulated order belongs to: its OCO group, else its entry's children together
 * (children of one entry close one position, so they share what it filled).
 */
function groupKeyOf(order: Order): string {
  const r = order.request;
  if (r.ocoGroup !== undefined) return `oco:${r.ocoGroup}`;
  if (r.parentId !== undefined) return `parent:${r.parentId}`;
  return `order:${order.id}`;
}

/**
 * A member's leg: members of one group with the same terms are one protection (a leg and its
 * continuations), which survives a restart without any extra field in the journal.
 */
function legKeyOf(order: Order): string {
  const r = order.request;
  return `${r.side}|${r.type}|${r.price ?? ''}|${r.triggerPrice ?? ''}|${r.trailingPct ?? ''}`;
}

/**
 * What an entry delivered of the position its children close: a spot buy's fee taken in the
 * base asset never reaches the account, so it is not there to sell (nor to guard: a leg is not
 * continued for that dust).
 */
function deliveredQty(entry: Order): Fixed {
  if (entry.side !== 'BUY') return entry.filledQty;
  const base = entry.symbol.split('/')[0];
  let fee = ZERO;
  for (const e of entry.events)
    if (e.type === 'OrderFilled' && e.feeCurrency === base && e.fee > ZERO) fee = add(fee, e.fee);
  return sub(entry.filledQty, fee);
}

/** Ends that mean a member did not do its job: its leg is given up. */
const GIVEN_UP: ReadonlySet<string> = new Set(['REJECTED', 'DENIED', 'EXPIRED']);

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
  /**
   * Contingent groups being emulated, by group key: their symbol and every member ever seen
   * (ended ones still count with what they filled). Dropped once nothing in them is open and
   * their entry ended.
   */
  private readonly groupsByKey = new Map<string, { readonly symbol: string; readonly ids: Set<string> }>();
  /** Members ended locally or canceled at the strategy's or user's request: their leg is given up. */
  private readonly withdrawn = new Set<string>();
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
    this.remember(order);
    this.report({ type: 'OrderAccepted', venueOrderId: EMULATED_VENUE_ID, ...this.about(order) });
    this.plan(order.symbol);
  }

  private cancel(order: Order, reason: string): void {
    if (this.held.has(order.id)) {
      this.cancelLocally(order, reason);
      this.plan(order.symbol);
      return;
    }
    // The strategy or the user takes a released member back: its leg is not continued.
    if (this.released.has(order.id)) this.withdrawn.add(order.id);
    this.client.cancel(order, reason);
  }

  private cancelLocally(order: Order, reason: string): void {
    this.withdrawn.add(order.id);
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
    if (this.groupsByKey.size > 0) this.plan(event.symbol);
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
        for (const [key, group] of this.groupsByKey) {
          if (group.symbol !== symbol) continue;
          const members = this.membersOf(group.ids);
          const parent = this.parentOf(members);
          // The position less what other groups' released members may still close: the
          // planner takes off its own group's, so it sizes with the cap the release applies.
          const position = this.emulation?.closable?.(symbol);
          const closable =
            position === undefined ? undefined : sub(position, this.openAtVenue(symbol, group.ids));
          const actions = planGroup(
            members.map((m) => this.memberOf(m)),
            parent,
            this.lastPrice.get(symbol),
            closable,
          );
          for (const a of actions) changed = this.act(a, members) || changed;
          if (actions.length === 0 && (parent === undefined || parent.done) && !this.anyOpen(members))
            this.forgetGroup(key, group.ids);
        }
        if (!changed) break;
      }
    } finally {
      this.planning = false;
    }
  }

  /** The members of a group as orders: held or released here, ended ones from the OMS or journal. */
  private membersOf(ids: ReadonlySet<string>): Order[] {
    const out: Order[] = [];
    for (const id of ids) {
      const o = this.held.get(id) ?? this.released.get(id)?.order ?? this.emulation?.order(id);
      if (o !== undefined) out.push(o);
    }
    return out;
  }

  private anyOpen(members: readonly Order[]): boolean {
    return members.some((m) => this.held.has(m.id) || this.released.has(m.id));
  }

  private forgetGroup(key: string, ids: ReadonlySet<string>): void {
    this.groupsByKey.delete(key);
    for (const id of ids) this.withdrawn.delete(id);
  }

  private remember(order: Order): void {
    const key = groupKeyOf(order);
    let g = this.groupsByKey.get(key);
    if (g === undefined) this.groupsByKey.set(key, (g = { symbol: order.symbol, ids: new Set() }));
    g.ids.add(order.id);
  }

  private memberOf(o: Order): ContingentMember {
    const r = o.request;
    const sent = this.released.get(o.id);
    const state = this.held.has(o.id) ? 'held' : sent !== undefined && !o.isTerminal ? 'sent' : 'done';
    return {
      id: o.id,
      side: r.side,
      type: r.type,
      quantity: r.quantity,
      price: r.price,
      triggerPrice: r.triggerPrice,
      state,
      filledQty: o.filledQty,
      sentQty: sent?.sentQty ?? o.quantity,
      leg: legKeyOf(o),
      withdrawn: state === 'done' && (this.withdrawn.has(o.id) || GIVEN_UP.has(o.status)),
    };
  }

  private parentOf(members: readonly Order[]): ParentView | undefined {
    const parentId = members.find((m) => m.request.parentId !== undefined)?.request.parentId;
    if (parentId === undefined) return undefined;
    const p = this.emulation?.order(parentId);
    // A parent nobody knows (lost journal) protects nothing: its children must not trade.
    if (p === undefined) return { filledQty: ZERO, done: true };
    return { filledQty: deliveredQty(p), done: p.isTerminal };
  }

  /** Applies one action on a group's `members`; whether it changed the emulator's state. */
  private act(a: EmulatorAction, members: readonly Order[]): boolean {
    switch (a.kind) {
      case 'continue': {
        const from = members.find((m) => m.id === a.fromId);
        const submit = this.emulation?.submit;
        if (from === undefined || submit === undefined) return false;
        const next = submit(from.strategyId, { ...from.request, quantity: a.quantity });
        // Remembered even if risk denied it: a denied continuation gives the leg up, it is
        // not asked for again on every price.
        this.remember(next);
        this.log.info(
          { orderId: next.id, from: from.id, quantity: String(a.quantity), status: next.status },
          'emulated leg continued for what the entry filled since it went out',
        );
        return true;
      }
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
        // What the account holds, less what released members may still close at the exchange.
        const position = this.emulation?.closable?.(o.symbol);
        const held = position === undefined ? undefined : sub(position, this.openAtVenue(o.symbol));
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

  /**
   * What released members of `symbol` (but those in `except`) may still close at the exchange
   * (sent, not yet filled).
   */
  private openAtVenue(symbol: string, except?: ReadonlySet<string>): Fixed {
    let open = ZERO;
    for (const r of this.released.values())
      if (
        r.order.symbol === symbol &&
        except?.has(r.order.id) !== true &&
        !r.order.isTerminal &&
        r.sentQty > r.order.filledQty
      )
        open = add(open, sub(r.sentQty, r.order.filledQty));
    return open;
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
    if (this.groupsByKey.size > 0) this.plan(symbol);
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
        detail: `${unknown.length} order(s) of unknown outcome (${stuck.length} past ${bound} ms of exchange availability)${banned ? `; exchange requests paused until ${new Date(banned).toISOString()}` : ''}; ${this.held.size} contingent order(s) emulated by the engine, ${this.released.size} released; ${this.syncPaceDetail()}`,
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
