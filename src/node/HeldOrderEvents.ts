import type { OrderEvent } from '../model/events.js';
import type { Order } from '../model/Order.js';

/** An order event a strategy has not been handed yet, with the order it belongs to. */
interface HeldOrderEvent {
  readonly order: Order;
  readonly event: OrderEvent;
}

/**
 * The order events of one strategy that arrived before it could act on them: before it
 * started (a cancel resumed or a kill switch held at start, fills the start-up reconciliation
 * found) or while it warmed up on history, when every order it sent in reaction would be
 * refused and every state write dropped. The ledger and the journal booked them on arrival;
 * the strategy is handed them, in arrival order, once it may trade (`release`), so what it
 * does about them is real. Events that arrive while the held ones are being handed over join
 * the end of the line, so the strategy still sees every event of its orders in arrival order.
 */
export class HeldOrderEvents {
  private readonly items: HeldOrderEvent[] = [];
  private releasing = false;

  /** Events are being handed over: a new one must queue behind them. */
  get isReleasing(): boolean {
    return this.releasing;
  }

  /** How many events wait. */
  get size(): number {
    return this.items.length;
  }

  hold(order: Order, event: OrderEvent): void {
    this.items.push({ order, event });
  }

  /**
   * Hands the held events over in arrival order, including those that arrive meanwhile, while
   * `open()` holds (the strategy may be stopped by what it does). `order` is the order as it
   * stands when the event is handed over: it may have moved on since the event (a cancel
   * requested, then confirmed), as the OMS holds one order object, never copies.
   */
  release(deliver: (order: Order, event: OrderEvent) => void, open: () => boolean): void {
    if (this.releasing) return;
    this.releasing = true;
    try {
      while (open()) {
        const next = this.items.shift();
        if (next === undefined) break;
        deliver(next.order, next.event);
      }
    } finally {
      this.releasing = false;
    }
  }
}
