import type { Order as CcxtOrder } from 'ccxt';
import type { OrderEventInput } from '../../model/events.js';
import type { CcxtExecutionClientOptions } from './CcxtExecutionClientOptions.js';
import type { ClassifiedError } from './classifyExchangeError.js';
import type { VenueOrderSnapshot } from './executionMappers.js';
import { fillOf, snapshotOf } from './executionMappers.js';
import { fetchOrderFills } from './fetchOrderFills.js';
import { acceptedReport, endReport, rejectedReport } from './orderReports.js';
import type { TrackedOrder, TrackedOrders } from './TrackedOrders.js';
import { tradesCovering } from './tradesCovering.js';

/** What applying the exchange's views of orders needs of the CcxtExecutionClient. */
export interface VenueOrderViewsHost {
  /** Hands a report to the OMS (a report it refuses is counted, not thrown). */
  report(event: OrderEventInput): void;
  /** Runs a request in the background, counted as in flight until it settles. */
  spawn(p: Promise<unknown>): void;
  /** Classifies a failed request: blocks the gate on a retry-after, tells the problem hook. */
  classify(e: unknown, what: string, orderId: string): ClassifiedError;
  /** Asks the exchange to cancel the order (again). */
  cancelNow(t: TrackedOrder): Promise<void>;
  /** Counts an order of unknown outcome resolved as never placed. */
  notFound(): void;
}

/**
 * What the exchange shows of the client's orders, applied: an order is looked up (by client
 * order id where the exchange can) and its view turned into OMS reports — acknowledgement,
 * fills with their trade ids, the end. An order of unknown outcome that the exchange still
 * does not know after the bound is resolved as never placed.
 */
export class VenueOrderViews {
  constructor(
    private readonly opts: CcxtExecutionClientOptions,
    private readonly tracked: TrackedOrders,
    private readonly host: VenueOrderViewsHost,
  ) {}

  /** Looks the order up by client order id and applies what the exchange says. */
  async refresh(t: TrackedOrder): Promise<void> {
    if (t.order.isTerminal) {
      this.tracked.forget(t);
      return;
    }
    if (t.sending === true) return;
    const caps = this.opts.capabilities;
    const venueId = t.order.venueOrderId;
    // Where the lookup by client id covers recent orders only (Deribit's by label), an
    // acknowledged order is asked about by its exchange id and only one of unknown outcome by ours.
    // The answer shows the order as of some moment after this one (see syncPace).
    const asked = this.opts.now();
    try {
      const o = await this.opts.gate.run(() =>
        caps.fetchByClientId || venueId === undefined
          ? caps.clientIds.fetch(this.opts.exchange, t.order.symbol, t.clientId)
          : this.opts.exchange.fetchOrder(venueId, t.order.symbol),
      );
      t.restAt = asked;
      await this.apply(t, o);
    } catch (e) {
      const c = this.host.classify(e, 'fetchOrder', t.order.id);
      if (c.kind === 'not-found' && t.unknownSince !== undefined) {
        if (this.opts.now() - t.unknownSince < this.opts.resolveWithinMs) return;
        this.host.notFound();
        const reason = `the exchange has no order ${t.clientId} ${this.opts.resolveWithinMs} ms after the submit`;
        this.host.report(
          rejectedReport(t.order, 'ERR_ORDER_NEVER_REACHED_EXCHANGE', reason, this.opts.now()),
        );
        this.resolved(t);
        this.tracked.forget(t);
      }
    }
  }

  private resolved(t: TrackedOrder): void {
    if (t.unknownSince === undefined) return;
    const since = t.unknownSince;
    t.unknownSince = undefined;
    this.opts.onResolved?.(t.order.id, since);
  }

  /**
   * Applies an exchange view of the order: acknowledgement, fills (with trade ids), end. A
   * view that shows open an order we asked to cancel asks the cancel again.
   */
  async apply(t: TrackedOrder, o: CcxtOrder): Promise<void> {
    const snap = snapshotOf(o);
    this.resolved(t);
    if (snap.venueOrderId !== '' && snap.venueOrderId !== 'undefined') {
      this.tracked.acknowledged(t, snap.venueOrderId);
      t.ackAt ??= this.opts.now();
      if (t.order.status === 'SUBMITTED')
        this.host.report(acceptedReport(t.order, snap.venueOrderId, this.opts.now()));
    }
    if (snap.filled > t.order.filledQty) await this.applyFills(t, o, snap);
    if (t.order.isTerminal) return;
    if (snap.state === 'open') {
      if (t.cancelReason !== undefined && t.canceling !== true) this.host.spawn(this.host.cancelNow(t));
      return;
    }
    // Every fill must be booked before the end is: otherwise a late fill would hit a closed order.
    if (snap.filled > t.order.filledQty) return;
    const end = endReport(t.order, snap, t.cancelReason, this.opts.now());
    if (end === undefined) return;
    this.host.report(end);
    this.tracked.forget(t);
  }

  private async applyFills(t: TrackedOrder, o: CcxtOrder, snap: VenueOrderSnapshot): Promise<void> {
    let trades = tradesCovering(o, snap.filled);
    if (trades === undefined) {
      try {
        trades = await this.opts.gate.run(() =>
          fetchOrderFills(this.opts.exchange, snap.venueOrderId, t.order.symbol),
        );
      } catch (e) {
        this.host.classify(e, 'fetchOrderTrades', t.order.id);
        return;
      }
    }
    const now = this.opts.now();
    for (const tr of [...trades].sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0)))
      this.host.report(fillOf(t.order, tr, now));
  }
}
