import { ONE } from '../core/Fixed.js';
import type { OrderRequest } from '../model/OrderRequest.js';
import { OrderType } from '../model/enums.js';

/** Order types that carry a limit price. */
const LIMIT_TYPES = new Set<OrderType>([OrderType.LIMIT, OrderType.STOP_LIMIT, OrderType.TAKE_PROFIT_LIMIT]);
/** Order types that wait for a fixed trigger price. */
const TRIGGER_TYPES = new Set<OrderType>([
  OrderType.STOP_MARKET,
  OrderType.STOP_LIMIT,
  OrderType.TAKE_PROFIT,
  OrderType.TAKE_PROFIT_LIMIT,
]);

/**
 * Why a request cannot be an order on any exchange, or undefined when it can. Tick, lot and
 * min-notional filters are the risk engine's job before submit; the venue only refuses what
 * it could not even interpret.
 */
export function validateRequest(req: OrderRequest, orderId: string): string | undefined {
  if (req.quantity <= 0n) return 'quantity must be > 0';
  if (LIMIT_TYPES.has(req.type) && !(req.price !== undefined && req.price > 0n)) {
    return `${req.type} needs a price > 0`;
  }
  if (TRIGGER_TYPES.has(req.type) && !(req.triggerPrice !== undefined && req.triggerPrice > 0n)) {
    return `${req.type} needs a triggerPrice > 0`;
  }
  if (req.type === OrderType.TRAILING_STOP) {
    const pct = req.trailingPct;
    // A trail of 100% or more would put a sell trigger at or below zero.
    if (pct === undefined || pct <= 0n || pct >= ONE) return 'TRAILING_STOP needs a trailingPct in (0, 1)';
    if (req.triggerPrice !== undefined && req.triggerPrice <= 0n) return 'triggerPrice must be > 0';
  }
  // Post-only means "add liquidity or nothing": meaningless for orders that execute as market.
  if (req.postOnly && !LIMIT_TYPES.has(req.type)) return `postOnly needs a limit order, not ${req.type}`;
  if (req.parentId === orderId) return 'an order cannot be its own parent';
  return undefined;
}
