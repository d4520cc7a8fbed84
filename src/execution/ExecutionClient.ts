import type { Fixed } from '../core/Fixed.js';
import type { OrderEventInput } from '../model/events.js';
import type { Order } from '../model/Order.js';
import type { AmendTerms } from '../model/OrderAmend.js';

/** Where a venue reports what happened to orders (accepted, filled, canceled, …). */
export type ExecutionReportSink = (event: OrderEventInput) => void;

/**
 * The port between the OMS and a venue: the SimulatedVenue (backtest and shadow) or a
 * ccxt client (live). Calls return at once; every outcome arrives later as an event
 * through the sink, so the OMS treats the two alike. The order already carries its
 * client order id and has been persisted when `submit` is called.
 */
export interface ExecutionClient {
  readonly venue: string;
  submit(order: Order): void;
  cancel(order: Order, reason: string): void;
  /**
   * Changes a resting order's price and/or lowers its quantity, keeping its ids. The OMS has
   * already journaled the intent (OrderAmendRequested, `order.pendingAmend`) and checked the
   * terms; the outcome arrives through the sink as OrderAmended or OrderAmendRejected. A
   * venue that throws or rejects the returned promise refuses with that error's code. A venue
   * without this method cannot amend (the OMS refuses with ERR_AMEND_NOT_SUPPORTED).
   */
  amend?(order: Order, terms: AmendTerms): void | Promise<unknown>;
}

/**
 * What a venue may read of the account to refuse an order it could not fund, as a real
 * exchange would (spot balances never go negative).
 */
export interface FundsView {
  /** Cash balance of a currency. The venue re-checks it before every fill, so two orders can never both spend it. */
  available(currency: string): Fixed;
  /** Signed position quantity in an instrument (spot: the base held). */
  positionQty(symbol: string): Fixed;
}
