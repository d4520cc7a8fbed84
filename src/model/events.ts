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
/**
 * The OMS asked the venue to cancel (journaled before the request leaves). The order stays
 * open, in its status, until the venue confirms with OrderCanceled or the order ends another
 * way (a fill may win the race): a restart in between finds the intent in the journal and asks
 * the venue again, so a cancel is never forgotten with the process.
 */
export interface OrderCancelRequested extends OrderEventBase {
  readonly type: 'OrderCancelRequested';
  /** Who or what asked, e.g. "canceled via API by alice"; the OrderCanceled it leads to says the same. */
  readonly reason: string;
}
/**
 * The OMS asked the venue to change a resting order's terms (journaled before the request
 * leaves). The order keeps its terms until the venue confirms with OrderAmended: a restart
 * in between finds the intent in the journal, never terms the venue may not have.
 */
export interface OrderAmendRequested extends OrderEventBase {
  readonly type: 'OrderAmendRequested';
  /** New limit price (absent: unchanged). */
  readonly price?: Fixed | undefined;
  /** New total quantity, fills included (absent: unchanged). */
  readonly quantity?: Fixed | undefined;
  readonly reason: string;
}
/** The venue confirmed new terms: from here on the order works at them. */
export interface OrderAmended extends OrderEventBase {
  readonly type: 'OrderAmended';
  /** Limit price now in force (absent for an order without one). */
  readonly price?: Fixed | undefined;
  /** Total quantity now in force, fills included. */
  readonly quantity: Fixed;
  readonly previousPrice?: Fixed | undefined;
  readonly previousQuantity: Fixed;
  readonly reason: string;
}
/** An amend did not happen (risk, the venue, a restart before its answer): the order keeps its terms. */
export interface OrderAmendRejected extends OrderEventBase {
  readonly type: 'OrderAmendRejected';
  readonly code: string;
  readonly reason: string;
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
  | OrderExpired
  | OrderCancelRequested
  | OrderAmendRequested
  | OrderAmended
  | OrderAmendRejected;

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
