import { ClassKeeper } from '../core/ClassKeeper.js';
import { IdGenerator } from '../core/ids.js';
import { GenerationMap } from '../core/GenerationMap.js';
import { StableMap } from '../core/StableMap.js';
import { QtsError } from '../core/QtsError.js';
import type { Channel, MessageBus } from '../kernel/MessageBus.js';
import type { Clock } from '../kernel/Clock.js';
import { ORDER_EVENTS } from '../kernel/topics.js';
import type { OrderAmendRequested, OrderEvent, OrderEventInput } from '../model/events.js';
import { Order } from '../model/Order.js';
import { ZERO } from '../core/Fixed.js';
import type { AmendTerms } from '../model/OrderAmend.js';
import { amendProblem } from '../model/OrderAmend.js';
import type { OrderRequest } from '../model/OrderRequest.js';
import { crashPoint } from './crashPoint.js';
import type { ExecutionClient } from './ExecutionClient.js';
import { freezeHistory } from './freezeHistory.js';
import type { OrderCounts } from './OrderCounts.js';
import { countEnded, noOrderCounts } from './OrderCounts.js';
import type { OrderJournal } from './OrderJournal.js';

// The journal's hook and the counts come with the engine: callers import them from here.
export type { OrderJournal } from './OrderJournal.js';
export type { OrderCounts } from './OrderCounts.js';

/** How many closed orders at least stay in memory for lookups by default; older history lives in the journal. */
export const CLOSED_MEMORY = 1024;

/** The last order retired by any engine of this thread: keeps the class of orders (see ClassKeeper). */
const RETIRED = new ClassKeeper<Order>();

/**
 * The order management system. It names every order (client order id) before anything
 * leaves the process, journals each event before publishing it, and is the only place
 * that applies venue reports to orders. Fills already applied (same trade id arriving
 * again via REST, WebSocket or a restart) are dropped, never booked twice. Memory holds
 * open orders and the most recent closed ones only, so a million-order backtest or a
 * month of live trading does not grow the heap; the journal is the full record.
 */
export class ExecutionEngine {
  private readonly open = new StableMap<Order>();
  private readonly closed: GenerationMap<string, Order>;
  private readonly counts: OrderCounts = noOrderCounts();
  private readonly eventIds = new IdGenerator('E');
  private client: ExecutionClient | undefined;
  /** The order whose event is being published (see orderOf). */
  private publishing: Order | undefined;
  private readonly events: Channel<OrderEvent>;
  /** Count of duplicate fill reports ignored (a live-health signal). */
  duplicateFills = 0;

  constructor(
    private readonly bus: MessageBus,
    private readonly clock: Clock,
    private readonly orderIds: IdGenerator,
    private readonly journal?: OrderJournal,
    closedMemory = CLOSED_MEMORY,
  ) {
    this.events = bus.channel(ORDER_EVENTS);
    this.closed = new GenerationMap<string, Order>(closedMemory);
  }

  /** Attaches the venue; its reports come back through `onReport`. */
  connect(client: ExecutionClient): void {
    this.client = client;
  }

  /** Creates and journals a new order (status INITIALIZED). */
  create(strategyId: string, request: OrderRequest): Order {
    // The terms become part of the order's first event (OrderInitialized.request), frozen with
    // it: callers hand over a fresh request, and an amend makes new terms, never edits these.
    Object.freeze(request);
    const order = new Order(this.orderIds.next(), strategyId, request, this.clock.now());
    this.open.set(order.id, order);
    this.counts.total += 1;
    this.record(order, {
      type: 'OrderInitialized',
      request,
      orderId: order.id,
      strategyId,
      symbol: request.symbol,
      ts: this.clock.now(),
      eventId: '',
    });
    return order;
  }

  /**
   * Takes an order rebuilt from the journal after a restart back under management, without
   * new events (they are already journaled); terminal ones only count.
   */
  adopt(order: Order): void {
    freezeHistory(order);
    this.counts.total += 1;
    if (order.isTerminal) {
      this.retire(order);
      return;
    }
    this.open.set(order.id, order);
    // The journal holds an amend the venue never answered before the restart. Its terms were
    // never applied, and nothing will answer it now: it ends here, and the order keeps the
    // terms it has (a live venue that did apply them reports fills and the end as usual).
    if (order.pendingAmend !== undefined)
      this.rejectAmend(order, 'ERR_AMEND_UNCONFIRMED', 'restarted before the venue answered the amend');
  }

  /** Risk said no: the order ends here with the reason code. */
  deny(order: Order, code: string, reason: string): void {
    this.record(order, {
      type: 'OrderDenied',
      code,
      reason,
      orderId: order.id,
      strategyId: order.strategyId,
      symbol: order.symbol,
      ts: this.clock.now(),
      eventId: '',
    });
  }

  /** Marks the order submitted and hands it to the venue. */
  send(order: Order): void {
    if (!this.client) throw new QtsError('ERR_NO_EXECUTION_CLIENT', 'no execution client connected');
    this.record(order, {
      // Spelled out, not spread from about(): every submit passes here, and a literal keeps
      // the event's hidden class the same as the venue's reports (no megamorphic reads later).
      type: 'OrderSubmitted',
      orderId: order.id,
      strategyId: order.strategyId,
      symbol: order.symbol,
      ts: this.clock.now(),
      eventId: '',
    });
    this.client.submit(order);
  }

  /**
   * Journals the intent (OrderCancelRequested), then asks the venue to cancel. The order stays
   * open until the venue confirms (OrderCanceled) or it ends another way; a stop in between
   * leaves the intent in the journal, and `resumeCancels` asks again after the restart. A
   * second cancel of an order already being canceled asks the venue again without a new event.
   */
  cancel(orderId: string, reason: string): void {
    const order = this.open.get(orderId);
    if (!order || !order.isOpen || !this.client) return;
    if (order.pendingCancel === undefined) {
      this.record(order, { type: 'OrderCancelRequested', reason, ...this.about(order) });
      crashPoint('cancel-saved-not-sent');
      // A subscriber of the request may have ended the order meanwhile (a fill it triggered).
      if (!order.isOpen) return;
    }
    this.client.cancel(order, reason);
  }

  /**
   * After a restart: every open order whose cancel the venue never confirmed before the stop is
   * asked to cancel again, with the reason first given (a cancel is never forgotten with the
   * process). Call it once the venue holds the adopted orders and, live, has reconciled them:
   * an order the exchange ended meanwhile is closed by then and not asked again. Returns the
   * orders asked.
   */
  resumeCancels(): Order[] {
    const asked: Order[] = [];
    for (const order of this.openOrders()) {
      const requested = order.pendingCancel;
      if (requested === undefined) continue;
      asked.push(order);
      this.cancel(order.id, requested.reason);
    }
    return asked;
  }

  /**
   * The open order `orderId`, if `terms` may be asked of its venue now; otherwise a coded
   * error: ERR_ORDER_NOT_FOUND, ERR_AMEND_NOT_SUPPORTED (the venue cannot amend in place),
   * ERR_AMEND_PENDING (one amend at a time) or the model's rules (see amendProblem).
   */
  amendable(orderId: string, terms: AmendTerms): Order {
    const order = this.order(orderId);
    if (!order) throw new QtsError('ERR_ORDER_NOT_FOUND', `no order ${orderId}`);
    if (this.client?.amend === undefined)
      throw new QtsError(
        'ERR_AMEND_NOT_SUPPORTED',
        `${this.client?.venue ?? 'no venue'} cannot amend an order in place`,
      );
    if (order.pendingAmend !== undefined && !order.isTerminal)
      throw new QtsError('ERR_AMEND_PENDING', `order ${orderId} already has an amend waiting for the venue`);
    // New terms for an order on its way out could only race the cancel at the venue.
    if (order.pendingCancel !== undefined && !order.isTerminal)
      throw new QtsError('ERR_CANCEL_PENDING', `order ${orderId} is being canceled: it cannot be amended`);
    const problem = amendProblem(order, terms);
    if (problem) throw problem;
    return order;
  }

  /**
   * Journals the intent (OrderAmendRequested), then asks the venue. The order keeps its
   * terms until the venue confirms (OrderAmended); a refusal of the venue ends the amend as
   * OrderAmendRejected with the venue's code. Call `amendable` (and risk) first.
   */
  amend(order: Order, terms: AmendTerms, reason: string): void {
    const client = this.client;
    if (client?.amend === undefined) throw new QtsError('ERR_AMEND_NOT_SUPPORTED', 'the venue cannot amend');
    const requested: OrderAmendRequested = {
      type: 'OrderAmendRequested',
      ...(terms.price === undefined ? {} : { price: terms.price }),
      ...(terms.quantity === undefined ? {} : { quantity: terms.quantity }),
      reason,
      ...this.about(order),
    };
    this.record(order, requested);
    // The venue answers through onReport; an error it throws (or a promise it rejects) is its
    // refusal, unless an answer for this request already arrived.
    const refused = (e: unknown): void => {
      if (order.pendingAmend !== requested) return;
      const code = e instanceof QtsError ? e.code : 'ERR_AMEND_REJECTED';
      this.rejectAmend(order, code, e instanceof Error ? e.message : String(e));
    };
    try {
      const answer = client.amend(order, terms);
      if (answer instanceof Promise) answer.catch(refused);
    } catch (e) {
      refused(e);
    }
  }

  /** The amend did not happen (risk, the venue, a restart): the order keeps its terms. */
  rejectAmend(order: Order, code: string, reason: string): void {
    this.record(order, {
      type: 'OrderAmendRejected',
      code,
      reason,
      ...this.about(order),
    });
  }

  /** A venue report: applied once, journaled, published. The object becomes the event: do not reuse it. */
  onReport(input: OrderEventInput): void {
    const order = this.order(input.orderId);
    if (!order) throw new QtsError('ERR_UNKNOWN_ORDER', `report for unknown order ${input.orderId}`);
    if (input.type === 'OrderFilled' && order.hasTrade(input.tradeId)) {
      this.duplicateFills += 1;
      return;
    }
    this.record(order, input);
  }

  /** An open order, or a recently closed one. */
  order(id: string): Order | undefined {
    return this.open.get(id) ?? this.closed.get(id);
  }

  /**
   * An order by id, open or closed: from memory, else rebuilt from the journal where it can be
   * read (shadow, live; a backtest has no journal). A read of the database, for lookups a
   * strategy asks for: never on the order path, and the rebuilt order is not taken back under
   * management (a closed order has nothing left to manage).
   */
  lookup(id: string): Order | undefined {
    const order = this.order(id);
    if (order !== undefined) return order;
    const loaded = this.journal?.load?.(id);
    if (loaded !== undefined) freezeHistory(loaded);
    return loaded;
  }

  /**
   * The order an event belongs to: while the OMS publishes an event, its order is at hand
   * without a lookup (subscribers of ORDER_EVENTS ask on every event); otherwise as `order`.
   */
  orderOf(event: OrderEvent): Order | undefined {
    const p = this.publishing;
    return p !== undefined && p.id === event.orderId ? p : this.order(event.orderId);
  }

  /**
   * Forgets the closed orders kept for lookups (the counts stay). A finished backtest calls
   * it: see runBacktest's releaseHistory for why.
   */
  forgetClosed(): void {
    this.closed.clear();
  }

  /** How many orders ended in each way since start. */
  orderCounts(): Readonly<OrderCounts> {
    return this.counts;
  }

  /** Open orders in submission order, optionally of one symbol and/or strategy. */
  openOrders(symbol?: string, strategyId?: string): Order[] {
    const out: Order[] = [];
    // Only read here: nothing below opens or closes an order.
    for (const o of this.open.readValues()) {
      // Not yet past risk (INITIALIZED) is not open at a venue.
      if (!o.isOpen) continue;
      if (
        (symbol === undefined || o.symbol === symbol) &&
        (strategyId === undefined || o.strategyId === strategyId)
      ) {
        out.push(o);
      }
    }
    return out;
  }

  /** Who and when of an event the engine reports about `order` itself; `record` stamps the id. */
  private about(order: Order): Pick<OrderEvent, 'orderId' | 'strategyId' | 'symbol' | 'ts' | 'eventId'> {
    return {
      orderId: order.id,
      strategyId: order.strategyId,
      symbol: order.symbol,
      ts: this.clock.now(),
      eventId: '',
    };
  }

  private record(order: Order, input: OrderEventInput): void {
    // Reporters hand over a fresh object; stamping its id in place (instead of copying it)
    // keeps a fill's path free of megamorphic object spreads, and the engine's own reporters
    // leave an `eventId: ''` slot for it. From here on the event never changes: it is frozen
    // before the order, the journal or any subscriber holds it, so a strategy written in
    // JavaScript that writes to an event it is handed (onOrderUpdate, onFill, order.events)
    // gets a TypeError instead of rewriting the fill the ledger, the journal and the report
    // share. Freezing a literal moves it to a cached frozen hidden class; reads stay monomorphic.
    const event = input as OrderEvent;
    (event as { eventId: string }).eventId = this.eventIds.next();
    Object.freeze(event);
    order.apply(event);
    // An amend's refusal may arrive for an order that ended meanwhile: it is retired already.
    if (order.isTerminal && event.type !== 'OrderAmendRejected') this.retire(order);
    const journal = this.journal;
    if (journal !== undefined) {
      try {
        journal(order, event);
      } catch (e) {
        this.unjournaled(order, event);
        throw e;
      }
    }
    // Subscribers may submit or cancel (re-entering here): the order in hand is restored after.
    const outer = this.publishing;
    this.publishing = order;
    try {
      this.bus.publishTo(this.events, event);
    } finally {
      this.publishing = outer;
    }
  }

  /**
   * The journal could not write `event` (a full disk): an order no venue has seen yet is
   * forgotten as the journal knows it. One never journaled does not exist; one whose submit was
   * not journaled never went out (the venue is called after the journal) and stays INITIALIZED
   * in the journal, which a restart denies: kept open in memory it would count against the
   * open-order limit and be "canceled" at a venue that never had it.
   */
  private unjournaled(order: Order, event: OrderEvent): void {
    if (event.type === 'OrderInitialized') {
      this.open.delete(order.id);
      this.counts.total -= 1;
    } else if (event.type === 'OrderSubmitted') {
      this.open.delete(order.id);
    }
  }

  private retire(order: Order): void {
    RETIRED.keep(order);
    this.open.delete(order.id);
    this.closed.set(order.id, order);
    countEnded(this.counts, order.status, order.filledQty !== ZERO);
  }
}
