import type { Order } from '../model/Order.js';

/**
 * An order rebuilt from the journal (a restart, a lookup) holds events the OMS did not record
 * in this process: frozen like the ones it records, with the terms of OrderInitialized.
 */
export function freezeHistory(order: Order): void {
  for (const e of order.events) {
    if (e.type === 'OrderInitialized') Object.freeze(e.request);
    Object.freeze(e);
  }
}
