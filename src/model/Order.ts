import { QtsError } from '../core/QtsError.js';
import type { Fixed } from '../core/Fixed.js';
import { ZERO, add, div, formatFixed, mul, sub } from '../core/Fixed.js';
import type { Millis } from '../core/time.js';
import { OrderStatus } from './enums.js';
import type { OrderAmendRequested, OrderCancelRequested, OrderEvent, OrderFilled } from './events.js';
import { amendProblem, amendedRequest } from './OrderAmend.js';
import type { OrderRequest } from './OrderRequest.js';
import type { OrderView } from './OrderView.js';
import { ReadOnlyOrder } from './OrderView.js';

/**
 * The order lifecycle as an explicit table. Live venues may report a fill before the
 * acknowledgement, so SUBMITTED may go straight to a fill; nothing leaves a terminal state.
 * A TRIGGERED order may still be rejected: live mode's emulated children are TRIGGERED when
 * released to the exchange, which may refuse them or never receive them.
 */
const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  INITIALIZED: ['DENIED', 'SUBMITTED'],
  SUBMITTED: ['ACCEPTED', 'REJECTED', 'PARTIALLY_FILLED', 'FILLED', 'CANCELED', 'EXPIRED'],
  ACCEPTED: ['TRIGGERED', 'PARTIALLY_FILLED', 'FILLED', 'CANCELED', 'EXPIRED'],
  TRIGGERED: ['REJECTED', 'PARTIALLY_FILLED', 'FILLED', 'CANCELED', 'EXPIRED'],
  PARTIALLY_FILLED: ['PARTIALLY_FILLED', 'FILLED', 'CANCELED', 'EXPIRED'],
  DENIED: [],
  REJECTED: [],
  FILLED: [],
  CANCELED: [],
  EXPIRED: [],
};

/**
 * The table as a matrix of status numbers, and the terminal states (those the table lets
 * nothing leave) as flags: every event of every order asks both. Statuses are numbered by a
 * switch, which compares interned strings by address; a record indexed by the status string
 * was a megamorphic keyed load on every ask.
 */
const STATUSES = Object.keys(TRANSITIONS).length;

function statusIndex(status: OrderStatus): number {
  switch (status) {
    case 'INITIALIZED':
      return 0;
    case 'SUBMITTED':
      return 1;
    case 'ACCEPTED':
      return 2;
    case 'TRIGGERED':
      return 3;
    case 'PARTIALLY_FILLED':
      return 4;
    case 'DENIED':
      return 5;
    case 'REJECTED':
      return 6;
    case 'FILLED':
      return 7;
    case 'CANCELED':
      return 8;
    case 'EXPIRED':
      return 9;
  }
}

const ALLOWED = new Uint8Array(STATUSES * STATUSES);
const TERMINAL = new Uint8Array(STATUSES);
for (const [from, tos] of Object.entries(TRANSITIONS) as [OrderStatus, readonly OrderStatus[]][]) {
  TERMINAL[statusIndex(from)] = tos.length === 0 ? 1 : 0;
  for (const to of tos) ALLOWED[statusIndex(from) * STATUSES + statusIndex(to)] = 1;
}

/** Whether the table allows `from → to`. */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ALLOWED[statusIndex(from) * STATUSES + statusIndex(to)] === 1;
}

export function isTerminal(status: OrderStatus): boolean {
  return TERMINAL[statusIndex(status)] === 1;
}

/** The status an event moves an order to, given how much will then be filled. */
function targetStatus(event: OrderEvent, filledAfter: Fixed, quantity: Fixed): OrderStatus {
  switch (event.type) {
    case 'OrderInitialized':
      return OrderStatus.INITIALIZED;
    case 'OrderDenied':
      return OrderStatus.DENIED;
    case 'OrderSubmitted':
      return OrderStatus.SUBMITTED;
    case 'OrderAccepted':
      return OrderStatus.ACCEPTED;
    case 'OrderRejected':
      return OrderStatus.REJECTED;
    case 'OrderTriggered':
      return OrderStatus.TRIGGERED;
    case 'OrderFilled':
      return filledAfter >= quantity ? OrderStatus.FILLED : OrderStatus.PARTIALLY_FILLED;
    case 'OrderCanceled':
      return OrderStatus.CANCELED;
    case 'OrderExpired':
      return OrderStatus.EXPIRED;
    case 'OrderCancelRequested':
    case 'OrderAmendRequested':
    case 'OrderAmended':
    case 'OrderAmendRejected':
      // Folded by applyRequest: a request (and an amend's answer) never moves the status.
      throw new QtsError('ERR_ORDER_TRANSITION', `${event.type} does not change an order's status`);
  }
}

type RequestEvent = Extract<
  OrderEvent,
  { type: 'OrderCancelRequested' | 'OrderAmendRequested' | 'OrderAmended' | 'OrderAmendRejected' }
>;

/**
 * The fees an order's fills paid in `currency`. A spot fill whose fee is taken in the base
 * coin (Instrument.feeSide) takes those coins from what the order bought or sold.
 */
export function feesPaidIn(order: Pick<OrderView, 'events'>, currency: string): Fixed {
  let fees = ZERO;
  for (const e of order.events)
    if (e.type === 'OrderFilled' && e.feeCurrency === currency) fees = add(fees, e.fee);
  return fees;
}

/**
 * An order: its request plus the state folded from its events. State changes only by
 * `apply(event)`, which refuses any transition the table does not allow. Amend events keep
 * the status: OrderAmendRequested marks an amend in flight (one at a time, on a resting
 * order), OrderAmended puts the venue-confirmed terms into `request`, OrderAmendRejected
 * ends the amend with the terms unchanged. OrderCancelRequested keeps the status too: the
 * order is open until the venue's OrderCanceled (or a fill, or an expiry) ends it, and
 * `pendingCancel` says a cancel is wanted meanwhile.
 */
export class Order implements OrderView {
  readonly id: string;
  readonly strategyId: string;
  /** The terms in force: the original request, or the last amend the venue confirmed. */
  private terms: OrderRequest;
  readonly createdAt: Millis;
  status: OrderStatus = OrderStatus.INITIALIZED;
  filledQty: Fixed = ZERO;
  /** Σ lastQty × lastPx over fills, exact: the average price derives from it. */
  filledNotional: Fixed = ZERO;
  feesPaid: Fixed = ZERO;
  venueOrderId: string | undefined;
  updatedAt: Millis;
  /** Reason code of a denial, rejection or cancel. */
  reasonCode: string | undefined;
  reason: string | undefined;
  readonly events: OrderEvent[] = [];
  /** An amend asked of the venue and not yet answered (its terms are not in force). */
  pendingAmend: OrderAmendRequested | undefined;
  /**
   * The first cancel asked of the venue (kept once the order ended, as history). While the
   * order is open it is a cancel not yet confirmed: after a restart it is asked again.
   */
  pendingCancel: OrderCancelRequested | undefined;

  /** When a cancel was first asked of the venue (what the orders table and the API show). */
  get cancelRequestedAt(): Millis | undefined {
    return this.pendingCancel?.ts;
  }
  /**
   * Trade ids already applied: the first inline, the rest in a set made on the second fill
   * (most orders fill once or never, and a set per order would outlive the order's fill).
   */
  private firstTradeId: string | undefined;
  private moreTradeIds: Set<string> | undefined;
  /** The read-only face handed to the order's strategy, made the first time it is asked. */
  private face: OrderView | undefined;

  constructor(id: string, strategyId: string, request: OrderRequest, createdAt: Millis) {
    this.id = id;
    this.strategyId = strategyId;
    this.terms = request;
    this.createdAt = createdAt;
    this.updatedAt = createdAt;
  }

  /**
   * This order as its strategy may see it (OrderView): the same state, live, but nothing a
   * strategy can write. One per order, so a strategy comparing orders by identity still can.
   */
  get view(): OrderView {
    return (this.face ??= new ReadOnlyOrder(this));
  }

  /** The terms in force (amended only once the venue confirmed). */
  get request(): OrderRequest {
    return this.terms;
  }
  get symbol(): string {
    return this.terms.symbol;
  }
  get side(): OrderRequest['side'] {
    return this.request.side;
  }
  get quantity(): Fixed {
    return this.request.quantity;
  }
  get leavesQty(): Fixed {
    return sub(this.request.quantity, this.filledQty);
  }
  get avgPx(): Fixed | undefined {
    return this.filledQty === ZERO ? undefined : div(this.filledNotional, this.filledQty);
  }
  get isOpen(): boolean {
    return !isTerminal(this.status) && this.status !== OrderStatus.INITIALIZED;
  }
  get isTerminal(): boolean {
    return isTerminal(this.status);
  }

  /** True when this fill was already applied (same trade id seen via another path). */
  hasTrade(tradeId: string): boolean {
    return tradeId === this.firstTradeId || (this.moreTradeIds?.has(tradeId) ?? false);
  }

  /** Folds one event into the order; throws ERR_ORDER_TRANSITION on a forbidden move. */
  apply(event: OrderEvent): void {
    if (event.orderId !== this.id) {
      throw new QtsError('ERR_ORDER_EVENT_MISMATCH', `event for ${event.orderId} applied to ${this.id}`);
    }
    if (event.type === 'OrderInitialized') {
      if (this.events.length > 0) throw this.transitionError(OrderStatus.INITIALIZED);
      this.events.push(event);
      return;
    }
    if (
      event.type === 'OrderAmendRequested' ||
      event.type === 'OrderAmended' ||
      event.type === 'OrderAmendRejected' ||
      event.type === 'OrderCancelRequested'
    ) {
      this.applyRequest(event);
      return;
    }
    let filledAfter = this.filledQty;
    if (event.type === 'OrderFilled') {
      // A fill on an order that cannot fill any more is a transition error first.
      if (!canTransition(this.status, OrderStatus.FILLED))
        throw this.transitionError(OrderStatus.PARTIALLY_FILLED);
      filledAfter = add(this.filledQty, event.lastQty);
      this.checkFill(event, filledAfter);
    }
    const to = targetStatus(event, filledAfter, this.request.quantity);
    if (!canTransition(this.status, to)) throw this.transitionError(to);
    this.status = to;
    this.updatedAt = event.ts;
    this.events.push(event);
    switch (event.type) {
      case 'OrderFilled':
        this.filledQty = filledAfter;
        this.filledNotional = add(this.filledNotional, mul(event.lastQty, event.lastPx));
        this.feesPaid = add(this.feesPaid, event.fee);
        if (this.firstTradeId === undefined) this.firstTradeId = event.tradeId;
        else (this.moreTradeIds ??= new Set()).add(event.tradeId);
        break;
      case 'OrderAccepted':
        this.venueOrderId = event.venueOrderId;
        break;
      case 'OrderDenied':
      case 'OrderRejected':
        this.reasonCode = event.code;
        this.reason = event.reason;
        break;
      case 'OrderCanceled':
        this.reason = event.reason;
        break;
      default:
        break;
    }
  }

  /**
   * Requests and amend answers: the status stays; terms change only on the venue's
   * confirmation, and a cancel ends the order only when the venue reports it.
   */
  private applyRequest(event: RequestEvent): void {
    switch (event.type) {
      case 'OrderCancelRequested':
        // Only an order at the venue can be canceled there; asking twice keeps the first ask.
        if (!this.isOpen)
          throw new QtsError(
            'ERR_ORDER_TRANSITION',
            `order ${this.id} is ${this.status}: only an order at the venue can be asked to cancel`,
            { from: this.status },
          );
        this.pendingCancel ??= event;
        break;
      case 'OrderAmendRequested': {
        if (this.pendingAmend !== undefined)
          throw new QtsError(
            'ERR_AMEND_PENDING',
            `order ${this.id} already has an amend waiting for the venue`,
          );
        const problem = amendProblem(this, event);
        if (problem) throw problem;
        this.pendingAmend = event;
        break;
      }
      case 'OrderAmended': {
        // A venue may confirm an amend made outside the OMS too (no request pending).
        const problem = amendProblem(this, event);
        if (problem) throw problem;
        this.terms = amendedRequest(this.terms, event);
        this.pendingAmend = undefined;
        break;
      }
      case 'OrderAmendRejected':
        if (this.status === OrderStatus.INITIALIZED) throw this.transitionError(this.status);
        this.pendingAmend = undefined;
        break;
    }
    this.updatedAt = event.ts;
    this.events.push(event);
  }

  private checkFill(event: OrderFilled, filledAfter: Fixed): void {
    // The ledger refuses such a fill (ERR_LEDGER_BAD_FILL): taken here, the order would show
    // as filled at a price of nothing while the account never booked it. Refused before any
    // state changes, so the order stays as it was.
    if (event.lastQty <= 0n || event.lastPx <= 0n) {
      throw new QtsError(
        'ERR_ORDER_BAD_FILL',
        `fill ${event.tradeId} of ${this.id} needs a quantity and a price above zero (got ${formatFixed(event.lastQty)} at ${formatFixed(event.lastPx)})`,
        { tradeId: event.tradeId },
      );
    }
    if (this.hasTrade(event.tradeId)) {
      throw new QtsError('ERR_DUPLICATE_FILL', `trade ${event.tradeId} already applied to ${this.id}`);
    }
    if (filledAfter > this.request.quantity) {
      throw new QtsError('ERR_OVERFILL', `fill of ${event.lastQty} exceeds leaves of ${this.id}`);
    }
  }

  private transitionError(to: OrderStatus): QtsError {
    return new QtsError('ERR_ORDER_TRANSITION', `order ${this.id}: ${this.status} → ${to} is not allowed`, {
      from: this.status,
      to,
    });
  }
}
