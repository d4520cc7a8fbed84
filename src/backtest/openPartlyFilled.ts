import { ZERO } from '../core/Fixed.js';
import type { Order } from '../model/Order.js';

/**
 * Open orders that filled in part when the data ended. Those that ended in part filled
 * (canceled or expired after fills) the OMS counts as they end (OrderCounts.partlyFilled).
 */
export function openPartlyFilled(open: readonly Order[]): number {
  let n = 0;
  for (const o of open) if (o.filledQty !== ZERO) n++;
  return n;
}
