import type { Logger } from 'pino';
import type { Fixed } from '../core/Fixed.js';
import { ZERO, add, sub, toFixed } from '../core/Fixed.js';
import type { CcxtExecutionClient } from '../exchanges/ccxt/CcxtExecutionClient.js';
import type { ExecutionReportSink } from '../execution/ExecutionClient.js';
import type { ContingentMember, EmulatorAction, ParentView } from '../execution/OrderEmulator.js';
import { planGroup } from '../execution/OrderEmulator.js';
import type { OrderEventInput } from '../model/events.js';
import type { Order } from '../model/Order.js';
import type { OrderRequest } from '../model/OrderRequest.js';
import { EMULATED_VENUE_ID, deliveredQty, givesUp, groupKeyOf, legKeyOf } from './contingentOrders.js';

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

/**
 * Live mode's emulation of contingent orders (bracket children, OCO members), since an
 * exchange would fill them independently: held by the engine (accepted under
 * EMULATED_VENUE_ID), and released as a MARKET or LIMIT under their own client order id once
 * the market price sets them off, sized by planGroup (src/execution/OrderEmulator.ts) to what
 * is left to protect. LiveVenue routes contingent orders here and every other one to the
 * exchange.
 */
export class ContingentEmulator {
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

  constructor(
    /** The exchange, where released members go and are canceled or looked up. */
    private readonly client: Pick<CcxtExecutionClient, 'submit' | 'cancel' | 'adopt'>,
    private readonly context: EmulationContext,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  /** Where the emulator's own reports (accepted, triggered, canceled locally) go: the OMS. */
  connect(sink: ExecutionReportSink): void {
    this.sink = sink;
  }

  /** Contingent orders the engine holds (not at the exchange). */
  heldCount(): number {
    return this.held.size;
  }

  /** Contingent orders released to the exchange and not ended. */
  releasedCount(): number {
    return this.released.size;
  }

  /** Whether the engine holds this order itself (the exchange has never seen it). */
  holds(orderId: string): boolean {
    return this.held.has(orderId);
  }

  /** Takes a contingent order into the engine's hands: accepted here, released when the price sets it off. */
  hold(order: Order): void {
    this.held.set(order.id, order);
    this.remember(order);
    this.report({ type: 'OrderAccepted', venueOrderId: EMULATED_VENUE_ID, ...this.about(order) });
    this.plan(order.symbol);
  }

  /** Cancels an order: one held here ends here, any other is asked of the exchange. */
  cancel(order: Order, reason: string): void {
    if (this.held.has(order.id)) {
      this.cancelLocally(order, reason);
      this.plan(order.symbol);
      return;
    }
    // The strategy or the user takes a released member back: its leg is not continued.
    if (this.released.has(order.id)) this.withdrawn.add(order.id);
    this.client.cancel(order, reason);
  }

  /**
   * An emulated order (accepted under EMULATED_VENUE_ID) journaled before a restart, taken
   * back into the group it belongs to.
   */
  adopt(order: Order): void {
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

  /** After the OMS took an exchange report: the groups of that symbol are planned again. */
  onReport(event: OrderEventInput): void {
    const r = this.released.get(event.orderId);
    if (r !== undefined && r.order.isTerminal) {
      this.released.delete(event.orderId);
      this.cancelAsked.delete(event.orderId);
    }
    if (this.groupsByKey.size > 0) this.plan(event.symbol);
  }

  /** A market price of `symbol` (a closed bar's close, a trade's price): what sets held orders off. */
  onPrice(symbol: string, price: number): void {
    if (!Number.isFinite(price)) return;
    this.lastPrice.set(symbol, toFixed(price));
    if (this.groupsByKey.size > 0) this.plan(symbol);
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

  /**
   * Plans every contingent group of `symbol` on the last price and applies the actions. Runs
   * again while actions change something (a sibling canceled frees its share), and never
   * re-enters itself: reports it causes are planned by the pass under way.
   */
  private plan(symbol: string): void {
    if (this.planning) return;
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
          const position = this.context.closable?.(symbol);
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
      const o = this.held.get(id) ?? this.released.get(id)?.order ?? this.context.order(id);
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
      withdrawn: state === 'done' && (this.withdrawn.has(o.id) || givesUp(o)),
    };
  }

  private parentOf(members: readonly Order[]): ParentView | undefined {
    const parentId = members.find((m) => m.request.parentId !== undefined)?.request.parentId;
    if (parentId === undefined) return undefined;
    const p = this.context.order(parentId);
    // A parent nobody knows (lost journal) protects nothing: its children must not trade.
    if (p === undefined) return { filledQty: ZERO, done: true };
    return { filledQty: deliveredQty(p), done: p.isTerminal };
  }

  /** Applies one action on a group's `members`; whether it changed the emulator's state. */
  private act(a: EmulatorAction, members: readonly Order[]): boolean {
    switch (a.kind) {
      case 'continue': {
        const from = members.find((m) => m.id === a.fromId);
        const submit = this.context.submit;
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
        const spot = this.context.isSpot(o.symbol);
        // What the account holds, less what released members may still close at the exchange.
        const position = this.context.closable?.(o.symbol);
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
}
