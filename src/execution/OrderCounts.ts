import type { OrderStatus } from '../model/enums.js';

/** Orders counted by how they ended (for reports; the journal has the full history). */
export interface OrderCounts {
  total: number;
  filled: number;
  denied: number;
  rejected: number;
  canceled: number;
  expired: number;
  /**
   * Of the orders that ended otherwise than FILLED (canceled or expired, the only other ends
   * of an order with fills), those that had filled in part: counted as they end, so a report
   * need not collect the ids of every filled order.
   */
  partlyFilled: number;
}

/** No orders yet. */
export function noOrderCounts(): OrderCounts {
  return {
    total: 0,
    filled: 0,
    denied: 0,
    rejected: 0,
    canceled: 0,
    expired: 0,
    partlyFilled: 0,
  };
}

/**
 * Counts an order that ended with `status` (a status that is no end counts nowhere);
 * `hadFills` tells whether any of it traded.
 */
export function countEnded(counts: OrderCounts, status: OrderStatus, hadFills: boolean): void {
  switch (status) {
    case 'FILLED':
      counts.filled += 1;
      break;
    case 'DENIED':
      counts.denied += 1;
      break;
    case 'REJECTED':
      counts.rejected += 1;
      break;
    case 'CANCELED':
      counts.canceled += 1;
      break;
    case 'EXPIRED':
      counts.expired += 1;
      break;
    default:
      return;
  }
  if (hadFills && status !== 'FILLED') counts.partlyFilled += 1;
}
