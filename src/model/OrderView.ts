import type { Fixed } from '../core/Fixed.js';
import { formatFixed } from '../core/Fixed.js';
import type { Millis } from '../core/time.js';
import type { OrderSide, OrderStatus } from './enums.js';
import type { OrderAmendRequested, OrderCancelRequested, OrderEvent } from './events.js';
import type { OrderRequest } from './OrderRequest.js';

/**
 * An order as a strategy sees it: every field of the engine's Order, none writable, and no
 * way to fold an event into it. Live: it shows the order's state now, so an order kept from
 * `ctx.buy` reads FILLED once it filled.
 */
export interface OrderView {
  readonly id: string;
  readonly strategyId: string;
  /** The terms in force (amended only once the venue confirmed). */
  readonly request: OrderRequest;
  readonly createdAt: Millis;
  readonly status: OrderStatus;
  readonly filledQty: Fixed;
  /** Σ lastQty × lastPx over fills, exact. */
  readonly filledNotional: Fixed;
  readonly feesPaid: Fixed;
  readonly venueOrderId: string | undefined;
  readonly updatedAt: Millis;
  /** Reason code of a denial, rejection or cancel. */
  readonly reasonCode: string | undefined;
  readonly reason: string | undefined;
  readonly events: readonly OrderEvent[];
  /** An amend asked of the venue and not yet answered. */
  readonly pendingAmend: OrderAmendRequested | undefined;
  /** The first cancel asked of the venue. */
  readonly pendingCancel: OrderCancelRequested | undefined;
  readonly cancelRequestedAt: Millis | undefined;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly quantity: Fixed;
  readonly leavesQty: Fixed;
  readonly avgPx: Fixed | undefined;
  readonly isOpen: boolean;
  readonly isTerminal: boolean;
  hasTrade(tradeId: string): boolean;
}

const NO_EVENTS: readonly OrderEvent[] = Object.freeze([]);

/**
 * The run-time face of OrderView for strategies written in JavaScript, where `readonly` is
 * not checked: the order sits in a private field and every member is a getter on the
 * prototype, so `order.status = 'FILLED'` throws in strict code (ES modules always are) and
 * does nothing elsewhere; the engine's order never changes. The events and the terms are
 * handed out as frozen copies, made only when a strategy reads them after they changed.
 *
 * One view per order, made the first time the order is handed to its strategy (Order.view):
 * nothing is frozen or copied per event, so a backtest's fill path pays a field read.
 */
export class ReadOnlyOrder implements OrderView {
  readonly #order: OrderView;
  #events: readonly OrderEvent[] = NO_EVENTS;
  #terms: OrderRequest | undefined;
  #request: OrderRequest | undefined;

  constructor(order: OrderView) {
    this.#order = order;
  }

  get id(): string {
    return this.#order.id;
  }
  get strategyId(): string {
    return this.#order.strategyId;
  }
  get request(): OrderRequest {
    const terms = this.#order.request;
    if (terms !== this.#terms || this.#request === undefined) {
      this.#terms = terms;
      this.#request = Object.freeze({ ...terms });
    }
    return this.#request;
  }
  get createdAt(): Millis {
    return this.#order.createdAt;
  }
  get status(): OrderStatus {
    return this.#order.status;
  }
  get filledQty(): Fixed {
    return this.#order.filledQty;
  }
  get filledNotional(): Fixed {
    return this.#order.filledNotional;
  }
  get feesPaid(): Fixed {
    return this.#order.feesPaid;
  }
  get venueOrderId(): string | undefined {
    return this.#order.venueOrderId;
  }
  get updatedAt(): Millis {
    return this.#order.updatedAt;
  }
  get reasonCode(): string | undefined {
    return this.#order.reasonCode;
  }
  get reason(): string | undefined {
    return this.#order.reason;
  }
  /** The events so far; an order only ever adds events, so the length says whether they changed. */
  get events(): readonly OrderEvent[] {
    const all = this.#order.events;
    if (all.length !== this.#events.length) this.#events = Object.freeze(all.slice());
    return this.#events;
  }
  get pendingAmend(): OrderAmendRequested | undefined {
    return this.#order.pendingAmend;
  }
  get pendingCancel(): OrderCancelRequested | undefined {
    return this.#order.pendingCancel;
  }
  get cancelRequestedAt(): Millis | undefined {
    return this.#order.cancelRequestedAt;
  }
  get symbol(): string {
    return this.#order.symbol;
  }
  get side(): OrderSide {
    return this.#order.side;
  }
  get quantity(): Fixed {
    return this.#order.quantity;
  }
  get leavesQty(): Fixed {
    return this.#order.leavesQty;
  }
  get avgPx(): Fixed | undefined {
    return this.#order.avgPx;
  }
  get isOpen(): boolean {
    return this.#order.isOpen;
  }
  get isTerminal(): boolean {
    return this.#order.isTerminal;
  }
  hasTrade(tradeId: string): boolean {
    return this.#order.hasTrade(tradeId);
  }

  /**
   * What JSON.stringify and a strategy's logger write (`ctx.log.info({ order })`): the fields,
   * amounts as exact decimal strings, rather than `{}` (the fields are getters) or a BigInt error.
   */
  toJSON(): Record<string, unknown> {
    const o = this.#order;
    return {
      id: o.id,
      strategyId: o.strategyId,
      symbol: o.symbol,
      side: o.side,
      status: o.status,
      request: decimals(o.request),
      createdAt: o.createdAt,
      updatedAt: o.updatedAt,
      filledQty: formatFixed(o.filledQty),
      leavesQty: formatFixed(o.leavesQty),
      avgPx: o.avgPx === undefined ? undefined : formatFixed(o.avgPx),
      feesPaid: formatFixed(o.feesPaid),
      venueOrderId: o.venueOrderId,
      reasonCode: o.reasonCode,
      reason: o.reason,
    };
  }

  /**
   * What console.log and the debugger show: the same fields, not an empty object, and amounts
   * as decimals rather than bigints counting units of 10^-16.
   */
  [Symbol.for('nodejs.util.inspect.custom')](): Record<string, unknown> {
    return this.toJSON();
  }
}

/** An order's terms with its amounts (Fixed) as decimal strings. */
function decimals(terms: OrderRequest): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(terms)) out[k] = typeof v === 'bigint' ? formatFixed(v as Fixed) : v;
  return out;
}

/** Strategies' views of orders (a list of open orders, for instance). */
export function viewsOf(orders: readonly { readonly view: OrderView }[]): OrderView[] {
  const out: OrderView[] = [];
  for (const o of orders) out.push(o.view);
  return out;
}
