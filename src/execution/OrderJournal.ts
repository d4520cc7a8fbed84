import type { OrderEvent } from '../model/events.js';
import type { Order } from '../model/Order.js';

/**
 * Called with each order event before it is published (persistence hooks in here). A journal
 * that can read its record back also offers `load`: one order by id, open or closed, rebuilt
 * from its events (the SQLite OrderStore's does), so an order the OMS no longer holds in
 * memory — closed in an earlier run, or long ago — can still be looked up.
 */
export interface OrderJournal {
  (order: Order, event: OrderEvent): void;
  readonly load?: (orderId: string) => Order | undefined;
}
