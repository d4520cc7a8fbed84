import type { Order as CcxtOrder } from 'ccxt';
import type { Order } from '../../model/Order.js';
import type { AmendResult } from './amendTerms.js';

/** What the client knows of one order it manages. */
export interface TrackedOrder {
  readonly order: Order;
  readonly clientId: string;
  /** Set while the outcome of the submit is unknown: when resolution must be done by. */
  unknownSince: number | undefined;
  /**
   * Set while the submit's own request is waiting for its turn or its answer: that answer
   * will tell what became of the order, so a lookup meanwhile would only ask the exchange
   * about an order it may not have been sent yet, and take a turn from the requests behind.
   */
  sending?: boolean;
  /** The terms of the last successful amend. */
  amended?: AmendResult;
  /** When the exchange's view first carried its order id (engine ms). */
  ackAt?: number;
  /**
   * Every exchange order id this client learned for it, the index entries to undo when it is
   * forgotten: the OMS's copy (order.venueOrderId) is missing when it dropped the report that
   * carried it, and holds only the latest id.
   */
  readonly venueIds: string[];
  /** When a REST answer about it was last applied. */
  restAt?: number;
  /** When a private stream last spoke of it. */
  streamAt?: number;
  /** A paced lookup of it is under way (the next pass does not ask again meanwhile). */
  refreshing?: boolean;
  /**
   * The reason of the cancel the OMS asked for: until the exchange shows the order ended, it
   * is asked again whenever a view shows the order still open (a cancel that met a 5xx,
   * timeout or ban, or that reached the exchange before the order's own submit did).
   */
  cancelReason?: string;
  /** A cancel request of it is waiting for its turn or its answer. */
  canceling?: boolean;
}

/**
 * The orders the client manages, by OMS order id and by exchange order id: a stream's trade
 * names only the latter, and an exchange view of an order not acknowledged yet only carries
 * our client order id.
 */
export class TrackedOrders {
  private readonly byOrderId = new Map<string, TrackedOrder>();
  private readonly byVenueId = new Map<string, TrackedOrder>();

  constructor(
    /** The exchange's client order id of an OMS order id. */
    private readonly clientIdOf: (orderId: string) => string,
    /** Our client order id in an exchange view of an order, if it carries one we can read. */
    private readonly readClientId: (o: CcxtOrder) => string | undefined,
  ) {}

  get(orderId: string): TrackedOrder | undefined {
    return this.byOrderId.get(orderId);
  }

  /** Live: an order forgotten while this is iterated is not visited afterwards. */
  values(): Iterable<TrackedOrder> {
    return this.byOrderId.values();
  }

  /** The order's entry, made on first sight. */
  track(order: Order): TrackedOrder {
    const existing = this.byOrderId.get(order.id);
    if (existing) return existing;
    const t: TrackedOrder = {
      order,
      clientId: this.clientIdOf(order.id),
      unknownSince: undefined,
      venueIds: [],
    };
    this.byOrderId.set(order.id, t);
    if (order.venueOrderId !== undefined) this.acknowledged(t, order.venueOrderId);
    return t;
  }

  /** The exchange named its order id for `t`. */
  acknowledged(t: TrackedOrder, venueOrderId: string): void {
    this.byVenueId.set(venueOrderId, t);
    if (!t.venueIds.includes(venueOrderId)) t.venueIds.push(venueOrderId);
  }

  byVenueOrderId(venueOrderId: string): TrackedOrder | undefined {
    return this.byVenueId.get(venueOrderId);
  }

  /** The order an exchange view is of: by its exchange order id, else by our client order id. */
  find(o: CcxtOrder): TrackedOrder | undefined {
    const byVenue = this.byVenueId.get(String(o.id));
    if (byVenue) return byVenue;
    const ours = this.readClientId(o);
    if (ours === undefined) return undefined;
    for (const t of this.byOrderId.values()) if (t.clientId === ours) return t;
    return undefined;
  }

  forget(t: TrackedOrder): void {
    this.byOrderId.delete(t.order.id);
    for (const id of t.venueIds) if (this.byVenueId.get(id) === t) this.byVenueId.delete(id);
  }

  /** Orders still of unknown outcome, with how long they have been so (ms). */
  unknownOrders(now: number): { orderId: string; ageMs: number }[] {
    const out: { orderId: string; ageMs: number }[] = [];
    for (const t of this.byOrderId.values())
      if (t.unknownSince !== undefined) out.push({ orderId: t.order.id, ageMs: now - t.unknownSince });
    return out;
  }
}
