import type { Fixed } from '../core/Fixed.js';
import type { Millis } from '../core/time.js';
import type { Liquidity, OrderSide } from './enums.js';
import type { OrderRequest } from './OrderRequest.js';

/** Fields every order event carries: its own id, the order's client id and event time. */
interface OrderEventBase {
  readonly eventId: string;
  readonly orderId: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly ts: Millis;
}

export interface OrderInitialized extends OrderEventBase {
  readonly type: 'OrderInitialized';
  readonly request: OrderRequest;
}
export interface OrderDenied extends OrderEventBase {
  readonly type: 'OrderDenied';
  /** Reason code, e.g. ERR_RISK_MAX_NOTIONAL. */
  readonly code: string;
  readonly reason: string;
}
export interface OrderSubmitted extends OrderEventBase {
  readonly type: 'OrderSubmitted';
}
export interface OrderAccepted extends OrderEventBase {
  readonly type: 'OrderAccepted';
  readonly venueOrderId: string;
}
export interface OrderRejected extends OrderEventBase {
  readonly type: 'OrderRejected';
  readonly code: string;
  readonly reason: string;
}
export interface OrderTriggered extends OrderEventBase {
  readonly type: 'OrderTriggered';
}
export interface OrderFilled extends OrderEventBase {
  readonly type: 'OrderFilled';
  readonly tradeId: string;
  readonly side: OrderSide;
  readonly lastQty: Fixed;
  readonly lastPx: Fixed;
  /** Fee charged for this fill, in `feeCurrency` (positive = paid). */
  readonly fee: Fixed;
  readonly feeCurrency: string;
  readonly liquidity: Liquidity;
}
export interface OrderCanceled extends OrderEventBase {
  readonly type: 'OrderCanceled';
  readonly reason: string;
}
export interface OrderExpired extends OrderEventBase {
  readonly type: 'OrderExpired';
}

export type OrderEvent =
  | OrderInitialized
  | OrderDenied
  | OrderSubmitted
  | OrderAccepted
  | OrderRejected
  | OrderTriggered
  | OrderFilled
  | OrderCanceled
  | OrderExpired;

export type OrderEventType = OrderEvent['type'];

/**
 * An event as a reporter hands it to the OMS, which gives it its `eventId` (Omit is
 * distributed over the union so each event keeps its own fields). A reporter on the hot path
 * may put a placeholder `eventId: ''` last: the OMS then overwrites a field the object
 * already has, where adding one to a finished object costs a second allocation per event.
 */
export type OrderEventInput = OrderEvent extends infer E
  ? E extends OrderEvent
    ? Omit<E, 'eventId'> & { readonly eventId?: string }
    : never
  : never;
