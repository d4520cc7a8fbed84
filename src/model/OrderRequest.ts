import type { Fixed } from '../core/Fixed.js';
import type { OrderSide, OrderType, TimeInForce } from './enums.js';

/**
 * What a strategy (or the API) asks for, already converted to exact amounts. The OMS
 * gives it a client order id; the risk engine approves or denies it.
 */
export interface OrderRequest {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: Fixed;
  /** Limit price (LIMIT, STOP_LIMIT, TAKE_PROFIT_LIMIT). */
  readonly price?: Fixed | undefined;
  /** Trigger price (STOP_*, TAKE_PROFIT*); for TRAILING_STOP the initial trigger, if any. */
  readonly triggerPrice?: Fixed | undefined;
  /** TRAILING_STOP: distance from the best price seen, as a fraction (0.02 = 2%). */
  readonly trailingPct?: Fixed | undefined;
  readonly timeInForce: TimeInForce;
  readonly postOnly: boolean;
  readonly reduceOnly: boolean;
  /** Orders sharing an OCO group cancel each other when one fills (even partly). */
  readonly ocoGroup?: string | undefined;
  /** Bracket child: becomes active only once this parent order has filled. */
  readonly parentId?: string | undefined;
  readonly tag?: string | undefined;
}
