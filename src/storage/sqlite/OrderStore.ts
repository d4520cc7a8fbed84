import type Database from 'better-sqlite3';
import type { Fixed } from '../../core/Fixed.js';
import { ZERO, div, formatFixed, parseFixed } from '../../core/Fixed.js';
import { QtsError } from '../../core/QtsError.js';
import type { Millis } from '../../core/time.js';
import type { OrderJournal } from '../../execution/ExecutionEngine.js';
import type { OrderSide, OrderStatus, OrderType } from '../../model/enums.js';
import type { OrderEvent } from '../../model/events.js';
import { Order } from '../../model/Order.js';
import type { OrderRequest } from '../../model/OrderRequest.js';
import { StorageErrorCode } from '../StorageErrorCode.js';
import { FillStore, fillFromEvent } from './FillStore.js';
import { orderEventCodec } from './orderEventCodec.js';
import { QueryFilter } from './QueryFilter.js';
import { guardWrite } from './writeError.js';

/** An order as the `orders` table summarizes it (the events are the truth; this is their fold). */
export interface OrderRecord {
  readonly id: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly request: OrderRequest;
  readonly status: OrderStatus;
  readonly filledQty: Fixed;
  readonly filledNotional: Fixed;
  /** filledNotional ÷ filledQty, exact to 16 places; undefined before the first fill. */
  readonly avgPx: Fixed | undefined;
  readonly feesPaid: Fixed;
  readonly venueOrderId: string | undefined;
  readonly reasonCode: string | undefined;
  readonly reason: string | undefined;
  /** When a cancel was first asked of the venue; on an open order, a cancel not yet confirmed. */
  readonly cancelRequestedAt: Millis | undefined;
  readonly eventCount: number;
  readonly createdAt: Millis;
  readonly updatedAt: Millis;
}

/** Filters of OrderStore.list; every field optional, times ([from, to)) are creation times. */
export interface OrderQuery {
  readonly strategyId?: string;
  readonly symbol?: string;
  readonly status?: OrderStatus | readonly OrderStatus[];
  /** true: not yet terminal (INITIALIZED included); false: terminal only. */
  readonly open?: boolean;
  readonly from?: Millis;
  readonly to?: Millis;
  /** Newest first; default 100, at most 10000. */
  readonly limit?: number;
  readonly offset?: number;
}

interface OrderRow {
  id: string;
  strategy_id: string;
  symbol: string;
  side: OrderSide;
  type: OrderType;
  request: string;
  status: OrderStatus;
  filled_qty: string;
  filled_notional: string;
  fees_paid: string;
  venue_order_id: string | null;
  reason_code: string | null;
  reason: string | null;
  cancel_requested_at: number | null;
  event_count: number;
  created_at: number;
  updated_at: number;
}

interface EventRow {
  order_id: string;
  seq: number;
  event: string;
}

/** Must stay the same text as the `orders_open` partial index so SQLite uses that index. */
const OPEN = "status NOT IN ('DENIED', 'REJECTED', 'FILLED', 'CANCELED', 'EXPIRED')";

/**
 * The order journal: every order event, in order, with a summary row per order. Orders are
 * state machines folded from immutable events, so the events are stored as they are and the
 * orders are rebuilt by replaying them through `Order.apply` — the same code that built them,
 * which re-checks every transition on the way back.
 *
 * `journal` has the ExecutionEngine's OrderJournal signature (pass `store.journal` as is): one
 * IMMEDIATE transaction per event writes the event, inserts the order row on OrderInitialized
 * or updates its status and fill figures afterwards, and records the fill of an OrderFilled
 * in `fills`. The OMS calls it before it publishes the event and, in live mode, before it
 * sends the order, so intent is on disk before anything leaves the process.
 */
export class OrderStore {
  /** The fills table, written by `journal` and usable by reconciliation. */
  readonly fills: FillStore;
  private readonly insertOrder: Database.Statement<[OrderRow]>;
  private readonly updateOrder: Database.Statement<
    [Omit<OrderRow, 'strategy_id' | 'symbol' | 'side' | 'type' | 'request' | 'created_at'> & { seq: number }]
  >;
  private readonly insertEvent: Database.Statement<[string, number, string, string, number, string]>;
  /** An amend the venue confirmed: the summary row shows the terms in force. */
  private readonly updateRequest: Database.Statement<[string, string]>;
  private readonly orderById: Database.Statement<[string], OrderRow>;
  private readonly eventsOf: Database.Statement<[string], EventRow>;
  private readonly openEvents: Database.Statement<[], EventRow & { created_at: number }>;
  private readonly openRows: Database.Statement<[], OrderRow>;
  private readonly write: (order: Order, event: OrderEvent, seq: number) => void;

  constructor(private readonly db: Database.Database) {
    this.fills = new FillStore(db);
    this.insertOrder = db.prepare(
      `INSERT INTO orders (id, strategy_id, symbol, side, type, request, status, filled_qty, filled_notional,
         fees_paid, venue_order_id, reason_code, reason, cancel_requested_at, event_count, created_at, updated_at)
       VALUES (@id, @strategy_id, @symbol, @side, @type, @request, @status, @filled_qty, @filled_notional,
         @fees_paid, @venue_order_id, @reason_code, @reason, @cancel_requested_at, @event_count, @created_at, @updated_at)`,
    );
    this.updateOrder = db.prepare(
      `UPDATE orders SET status = @status, filled_qty = @filled_qty, filled_notional = @filled_notional,
         fees_paid = @fees_paid, venue_order_id = @venue_order_id, reason_code = @reason_code, reason = @reason,
         cancel_requested_at = @cancel_requested_at, event_count = @event_count, updated_at = @updated_at
       WHERE id = @id AND event_count = @seq`,
    );
    this.insertEvent = db.prepare(
      'INSERT INTO order_events (order_id, seq, event_id, type, ts, event) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.updateRequest = db.prepare('UPDATE orders SET request = ? WHERE id = ?');
    this.orderById = db.prepare('SELECT * FROM orders WHERE id = ?');
    this.eventsOf = db.prepare(
      'SELECT order_id, seq, event FROM order_events WHERE order_id = ? ORDER BY seq',
    );
    this.openRows = db.prepare(`SELECT * FROM orders WHERE ${OPEN} ORDER BY created_at, id`);
    this.openEvents = db.prepare(
      `SELECT e.order_id, e.seq, e.event, o.created_at FROM orders o JOIN order_events e ON e.order_id = o.id
       WHERE o.${OPEN} ORDER BY o.created_at, o.id, e.seq`,
    );
    const write = db.transaction((order: Order, event: OrderEvent, seq: number) => {
      const row = rowOf(order, seq + 1);
      if (event.type === 'OrderInitialized') {
        this.insertOrder.run(row);
      } else if (this.updateOrder.run({ ...row, seq }).changes !== 1) {
        throw new QtsError(
          StorageErrorCode.Journal,
          `order ${order.id}: event #${seq} (${event.type}) does not follow the journaled events ` +
            `(order never journaled, or an event skipped or written twice)`,
          { orderId: order.id, seq },
        );
      }
      this.insertEvent.run(order.id, seq, event.eventId, event.type, event.ts, orderEventCodec.encode(event));
      if (event.type === 'OrderFilled') this.fills.record(fillFromEvent(event));
      else if (event.type === 'OrderAmended')
        this.updateRequest.run(orderEventCodec.encode(order.request), order.id);
    });
    this.write = guardWrite(
      write.immediate.bind(write),
      (order, event, seq) => `order ${order.id}: ${event.type} #${seq} not journaled`,
    );
  }

  /**
   * Persists one event of `order`, which must already have applied it (the OMS applies, then
   * journals). An arrow property so `store.journal` can be handed to the engine unbound; its
   * `load` is `OrderStore.load`, so the engine can look up orders no longer in its memory.
   */
  readonly journal: OrderJournal = Object.assign(
    (order: Order, event: OrderEvent): void => {
      const seq = order.events.length - 1;
      if (seq < 0 || order.events[seq] !== event) {
        throw new QtsError(
          StorageErrorCode.Journal,
          `order ${order.id}: journal the event the order applied last (${event.type} ${event.eventId} is not it)`,
          { orderId: order.id },
        );
      }
      this.write(order, event, seq);
    },
    { load: (orderId: string): Order | undefined => this.load(orderId) },
  );

  /**
   * Every order not yet terminal, rebuilt by replaying its events, oldest first — what the
   * OMS holds in memory after a restart. INITIALIZED orders never passed risk and were never
   * sent (deny them); SUBMITTED ones have an unknown outcome at the venue and must be
   * resolved by querying it for their client order id, never re-sent blindly.
   */
  loadOpenOrders(): Order[] {
    // One read transaction: rows and events come from the same snapshot even while another
    // connection writes.
    return this.db.transaction(() => {
      const rows = new Map(this.openRows.all().map((r) => [r.id, r]));
      const orders: Order[] = [];
      let current: Order | undefined;
      for (const e of this.openEvents.iterate()) {
        if (current?.id !== e.order_id) {
          if (current) orders.push(this.checked(current, rows.get(current.id)));
          current = undefined;
        }
        current = this.replayOne(current, e, e.created_at);
      }
      if (current) orders.push(this.checked(current, rows.get(current.id)));
      if (orders.length !== rows.size)
        throw corrupt(`${rows.size - orders.length} open orders have no events`);
      return orders;
    })();
  }

  /** One order (open or not) rebuilt from its events; undefined when unknown. */
  load(orderId: string): Order | undefined {
    return this.db.transaction(() => {
      const row = this.orderById.get(orderId);
      if (!row) return undefined;
      let order: Order | undefined;
      for (const e of this.eventsOf.iterate(orderId)) order = this.replayOne(order, e, row.created_at);
      if (!order) throw corrupt(`order ${orderId} has no events`);
      return this.checked(order, row);
    })();
  }

  /** The events of one order in the order they happened (empty when unknown). */
  events(orderId: string): OrderEvent[] {
    return this.eventsOf
      .all(orderId)
      .map((e) => orderEventCodec.decodeEvent(e.event, `order_events ${e.order_id}#${e.seq}`));
  }

  /** The summary row of one order. */
  get(orderId: string): OrderRecord | undefined {
    const row = this.orderById.get(orderId);
    return row && recordOf(row);
  }

  /** Orders matching the filter, newest first (for the API and reports). */
  list(q: OrderQuery = {}): OrderRecord[] {
    const f = new QueryFilter()
      .when('strategy_id = @strategyId', 'strategyId', q.strategyId)
      .when('symbol = @symbol', 'symbol', q.symbol)
      .when('created_at >= @from', 'from', q.from)
      .when('created_at < @to', 'to', q.to);
    if (q.status !== undefined) {
      const statuses: readonly string[] = typeof q.status === 'string' ? [q.status] : q.status;
      statuses.forEach((s, i) => (f.params[`status${i}`] = s));
      f.raw(`status IN (${statuses.map((_, i) => `@status${i}`).join(', ') || 'NULL'})`);
    }
    if (q.open !== undefined) f.raw(q.open ? OPEN : `NOT (${OPEN})`);
    const sql = f.sql('orders', 'created_at DESC, id DESC', q.limit, q.offset);
    return this.db.prepare<[Record<string, string | number>], OrderRow>(sql).all(f.params).map(recordOf);
  }

  /**
   * Highest sequence number among order ids made by `IdGenerator(prefix)` (prefix + base-36
   * sequence), 0 when none: pass it to `IdGenerator.resumeAfter` at startup so a restarted
   * engine never reuses a client order id.
   */
  lastSequence(prefix: string): number {
    const ids = this.db
      .prepare<[string, string], string>(
        'SELECT id FROM orders WHERE substr(id, 1, length(?)) = ? ORDER BY length(id) DESC, id DESC',
      )
      .pluck()
      .iterate(prefix, prefix);
    let best = 0;
    // Longest, then greatest id first: the first one with a base-36 suffix is the highest.
    for (const id of ids) {
      const suffix = id.slice(prefix.length);
      if (/^[0-9a-z]+$/.test(suffix)) {
        best = parseInt(suffix, 36);
        break;
      }
    }
    return best;
  }

  private replayOne(order: Order | undefined, e: EventRow, createdAt: number): Order {
    const where = `order_events ${e.order_id}#${e.seq}`;
    const event = orderEventCodec.decodeEvent(e.event, where);
    if (order === undefined) {
      if (event.type !== 'OrderInitialized' || e.seq !== 0)
        throw corrupt(`${where}: first event is ${event.type}`);
      order = new Order(e.order_id, event.strategyId, event.request, createdAt);
    }
    if (order.events.length !== e.seq) throw corrupt(`${where}: events are not numbered 0, 1, 2…`);
    order.apply(event);
    return order;
  }

  /** The replayed order must agree with its summary row, or the file was changed behind our back. */
  private checked(order: Order, row: OrderRow | undefined): Order {
    if (
      !row ||
      row.status !== order.status ||
      row.filled_qty !== formatFixed(order.filledQty) ||
      row.event_count !== order.events.length
    ) {
      throw corrupt(
        `order ${order.id}: replayed events give ${order.status}, the orders row says ${row?.status}`,
      );
    }
    return order;
  }
}

function rowOf(order: Order, eventCount: number): OrderRow {
  return {
    id: order.id,
    strategy_id: order.strategyId,
    symbol: order.symbol,
    side: order.side,
    type: order.request.type,
    request: orderEventCodec.encode(order.request),
    status: order.status,
    filled_qty: formatFixed(order.filledQty),
    filled_notional: formatFixed(order.filledNotional),
    fees_paid: formatFixed(order.feesPaid),
    venue_order_id: order.venueOrderId ?? null,
    reason_code: order.reasonCode ?? null,
    reason: order.reason ?? null,
    cancel_requested_at: order.pendingCancel?.ts ?? null,
    event_count: eventCount,
    created_at: order.createdAt,
    updated_at: order.updatedAt,
  };
}

function recordOf(row: OrderRow): OrderRecord {
  const filledQty = parseFixed(row.filled_qty);
  const filledNotional = parseFixed(row.filled_notional);
  return {
    id: row.id,
    strategyId: row.strategy_id,
    symbol: row.symbol,
    side: row.side,
    type: row.type,
    request: orderEventCodec.decodeRequest(row.request, `orders ${row.id}`),
    status: row.status,
    filledQty,
    filledNotional,
    avgPx: filledQty === ZERO ? undefined : div(filledNotional, filledQty),
    feesPaid: parseFixed(row.fees_paid),
    venueOrderId: row.venue_order_id ?? undefined,
    reasonCode: row.reason_code ?? undefined,
    reason: row.reason ?? undefined,
    cancelRequestedAt: row.cancel_requested_at ?? undefined,
    eventCount: row.event_count,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function corrupt(message: string): QtsError {
  return new QtsError(StorageErrorCode.Corrupt, message);
}
