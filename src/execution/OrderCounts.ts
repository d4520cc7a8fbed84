import type { OrderStatus } from '../model/enums.js';

/** Orders counted by how they ended (for reports; the journal has the full history). */
export interface OrderCounts {
  total: number;
  filled: number;
  denied: number;
  rejected: number;
  canceled: number;
  expired: number;
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
  };
}

/** Counts an order that ended with `status` (a status that is no end counts nowhere). */
export function countEnded(counts: OrderCounts, status: OrderStatus): void {
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
      break;
  }
}
