import type { Order } from '../model/Order.js';
import { LIQUIDATION_ORDER_ID } from '../model/futuresEvents.js';
import type { FillRecord } from './types.js';

/**
 * Orders that filled in part: still open when the data ended, or closed otherwise than FILLED
 * (canceled or expired, the only other ends of an order with fills). The OMS keeps only recent
 * closed orders, so the closed ones are counted from the fills: orders with fills, less those
 * still open and those filled in full. Liquidations are fill lines of no order.
 */
export function partlyFilled(
  fills: readonly FillRecord[],
  open: readonly Order[],
  filledInFull: number,
): { closed: number; open: number } {
  const ids = new Set<string>();
  for (const f of fills) if (f.orderId !== LIQUIDATION_ORDER_ID) ids.add(f.orderId);
  let openPart = 0;
  for (const o of open) {
    if (ids.delete(o.id)) openPart++;
  }
  return { closed: ids.size - filledInFull, open: openPart };
}
