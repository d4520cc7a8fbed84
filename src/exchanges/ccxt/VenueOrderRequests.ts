import type { Order as CcxtOrder } from 'ccxt';
import { QtsError } from '../../core/QtsError.js';
import { crashPoint } from '../../execution/crashPoint.js';
import type { OrderEventInput } from '../../model/events.js';
import type { Order } from '../../model/Order.js';
import type { AmendTerms } from '../../model/OrderAmend.js';
import type { OrderRequest } from '../../model/OrderRequest.js';
import type { AmendResult } from './amendTerms.js';
import { amendTerms } from './amendTerms.js';
import type { CcxtExecutionClientOptions } from './CcxtExecutionClientOptions.js';
import type { ClassifiedError } from './classifyExchangeError.js';
import { createArgs, exact, wire } from './executionMappers.js';
import { amendedReport, rejectedReport } from './orderReports.js';
import type { TrackedOrder, TrackedOrders } from './TrackedOrders.js';
import type { VenueOrderViews } from './VenueOrderViews.js';

/** What sending orders to the exchange needs of the CcxtExecutionClient. */
export interface VenueOrderRequestsHost {
  /** Hands a report to the OMS (a report it refuses is counted, not thrown). */
  report(event: OrderEventInput): void;
  /** Classifies a failed request: blocks the gate on a retry-after, tells the problem hook. */
  classify(e: unknown, what: string, orderId: string): ClassifiedError;
}

/**
 * The client's requests that change an order at the exchange: create, cancel and amend, and
 * what each answer means for the order. An answer the exchange gives is applied through
 * VenueOrderViews like any other view of the order; a request without a trustworthy answer is
 * never repeated blind, the next lookup tells what became of it.
 */
export class VenueOrderRequests {
  private readonly venue: string;

  constructor(
    private readonly opts: CcxtExecutionClientOptions,
    private readonly tracked: TrackedOrders,
    private readonly views: VenueOrderViews,
    private readonly host: VenueOrderRequestsHost,
  ) {
    this.venue = opts.exchange.id;
  }

  /**
   * Sends the order (`request`: the terms on the wire, see CcxtExecutionClient.submit). A
   * refusal rejects it; any other failure leaves it of unknown outcome, looked up by sync.
   */
  async submit(t: TrackedOrder, request: OrderRequest): Promise<void> {
    const { type, side, amount, price, params } = createArgs(request);
    Object.assign(params, this.opts.capabilities.clientIds.create(t.clientId));
    crashPoint('intent-saved-not-sent');
    t.sending = true;
    const asked = this.opts.now();
    try {
      const o = await this.opts.gate.run(
        () => this.opts.exchange.createOrder(t.order.symbol, type, side, amount, price, params),
        true,
      );
      t.restAt = asked;
      await this.views.apply(t, o);
    } catch (e) {
      const c = this.host.classify(e, 'createOrder', t.order.id);
      if (c.kind === 'rejected') {
        this.host.report(rejectedReport(t.order, c.code, c.message, this.opts.now()));
        this.tracked.forget(t);
        return;
      }
      // Timeout, 5xx, dropped connection, rate limit, duplicate id: the order may exist.
      t.unknownSince ??= this.opts.now();
    } finally {
      t.sending = false;
    }
  }

  /**
   * One cancel request; whatever it answers, the order's end is taken only from a view that
   * shows it (see CcxtExecutionClient.cancel for why a cancel is asked again).
   */
  async cancel(t: TrackedOrder): Promise<void> {
    t.canceling = true;
    const asked = this.opts.now();
    const ids = this.opts.capabilities.clientIds;
    // An order whose exchange id is unknown (submit of unknown outcome) is named by our id:
    // where the exchange takes it in place of the order id (Gate), or else in the params, with
    // no order id at all where ccxt would send an empty one (Bybit).
    const venueId =
      t.order.venueOrderId ?? (ids.cancelOrderId === undefined ? '' : ids.cancelOrderId(t.clientId));
    // Where ccxt's cancelOrder cannot name an order by our id at all (Deribit), the codec's own
    // cancel does; its answer shows no order, so the order is looked up for its end.
    const byClientId = t.order.venueOrderId === undefined ? ids.cancelByClientId?.bind(ids) : undefined;
    try {
      if (byClientId !== undefined) {
        await this.opts.gate.run(
          () => byClientId(this.opts.exchange, t.order.symbol, t.clientId),
          false,
          true,
        );
        await this.views.refresh(t);
        return;
      }
      const o = await this.opts.gate.run(
        // ccxt's types want a string; undefined (only from a codec that asks for it, Bybit)
        // makes that exchange's cancelOrder send no order id.
        () => this.opts.exchange.cancelOrder(venueId as string, t.order.symbol, ids.cancel(t.clientId)),
        false,
        true,
      );
      // Many exchanges answer a cancel with an acknowledgement only (ccxt: no filled, no status;
      // OKX, Bybit, Bitget, KuCoin, Kraken): it does not tell what filled before the cancel, and
      // ending the order on it would drop those fills. The order is looked up instead.
      if (o.filled === undefined || o.filled === null) {
        await this.views.refresh(t);
        return;
      }
      t.restAt = asked;
      await this.views.apply(t, { ...o, status: o.status ?? 'canceled' });
    } catch (e) {
      this.host.classify(e, 'cancelOrder', t.order.id);
      // Already filled, already canceled or not reachable: the next sync tells which, and
      // asks the cancel again if the order is still open.
      await this.views.refresh(t);
    } finally {
      t.canceling = false;
    }
  }

  /** The in-place amend of CcxtExecutionClient.amend (see there why it is never a cancel and replace). */
  async amend(order: Order, change: AmendTerms): Promise<AmendResult> {
    if (!this.opts.capabilities.amend)
      throw new QtsError('ERR_AMEND_NOT_SUPPORTED', `${this.venue} cannot amend an order in place`);
    const t = this.tracked.get(order.id);
    const venueId = order.venueOrderId;
    if (t === undefined || !order.isOpen || venueId === undefined)
      throw new QtsError(
        'ERR_AMEND_NOT_OPEN',
        `order ${order.id} is not open and acknowledged at ${this.venue}`,
      );
    const before = order.request;
    const { price, quantity } = amendTerms(order, change, t.amended);
    let o: CcxtOrder;
    const asked = this.opts.now();
    try {
      o = await this.opts.gate.run(
        () =>
          this.opts.exchange.editOrder(
            venueId,
            order.symbol,
            'limit',
            order.side === 'BUY' ? 'buy' : 'sell',
            wire(quantity),
            wire(price),
          ),
        true,
      );
    } catch (e) {
      const c = this.host.classify(e, 'editOrder', order.id);
      // An amend of unknown outcome leaves the order as it is or as asked; the next sync tells.
      throw new QtsError(
        c.kind === 'rejected' ? 'ERR_AMEND_REJECTED' : 'ERR_AMEND_UNKNOWN_OUTCOME',
        c.message,
      );
    }
    const amended = {
      price: exact(o.price ?? wire(price)),
      quantity: exact(o.amount ?? wire(quantity)),
    };
    t.amended = amended;
    t.restAt = asked;
    // The OMS takes the new terms only now that the exchange confirmed them.
    this.host.report(amendedReport(order, before, amended, this.opts.now()));
    await this.views.apply(t, o);
    return amended;
  }
}
