import type { Order as CcxtOrder, Trade as CcxtTrade } from 'ccxt';
import { isQtsError } from '../../core/QtsError.js';
import { crashPoint } from '../../execution/crashPoint.js';
import type { ExecutionClient, ExecutionReportSink } from '../../execution/ExecutionClient.js';
import type { OrderEventInput } from '../../model/events.js';
import type { Order } from '../../model/Order.js';
import type { AmendTerms } from '../../model/OrderAmend.js';
import type { OrderRequest } from '../../model/OrderRequest.js';
import type { AmendResult } from './amendTerms.js';
import type { CcxtExecutionClientOptions } from './CcxtExecutionClientOptions.js';
import type { ClassifiedError } from './classifyExchangeError.js';
import { classifyExchangeError } from './classifyExchangeError.js';
import { exchangeClientId } from './executionCapabilities.js';
import { forcedCloseKind } from './fetchForcedCloses.js';
import { fillOf } from './executionMappers.js';
import type { StreamHealthView } from './PrivateStreamHealth.js';
import { PrivateStreams } from './PrivateStreams.js';
import type { SyncPace } from './syncPace.js';
import type { SyncPaceView } from './SyncPacer.js';
import { SyncPacer, orderPaceOf } from './SyncPacer.js';
import type { TrackedOrder } from './TrackedOrders.js';
import { TrackedOrders } from './TrackedOrders.js';
import { VenueOrderRequests } from './VenueOrderRequests.js';
import { VenueOrderViews } from './VenueOrderViews.js';

export type { AmendResult } from './amendTerms.js';
export type { CcxtExecutionClientOptions } from './CcxtExecutionClientOptions.js';
export type { SyncPaceView } from './SyncPacer.js';

/**
 * The OMS's refusals of a report that leave its books untouched (see ExecutionEngine.onReport
 * and Order.apply): the same news through another source, or about an order it no longer holds.
 */
const STALE_REPORT_CODES: ReadonlySet<string> = new Set([
  'ERR_UNKNOWN_ORDER',
  'ERR_ORDER_TRANSITION',
  'ERR_DUPLICATE_FILL',
  'ERR_OVERFILL',
]);

/**
 * The live venue: our orders through ccxt's unified API, outcomes back as OMS reports.
 *
 * Every call goes through the RequestGate (bans, order budget). A submit that fails without
 * a trustworthy answer is never sent again: the order stays in flight and `sync()` looks it
 * up by its client order id until the exchange tells what became of it. Fills reach the OMS
 * from the create response, REST lookups and private streams alike; the OMS books each trade
 * id once, so overlapping sources are harmless. VenueOrderRequests sends the creates, cancels
 * and amends; VenueOrderViews looks orders up and applies what the exchange shows of them.
 */
export class CcxtExecutionClient implements ExecutionClient {
  readonly venue: string;
  private sink: ExecutionReportSink = () => undefined;
  private readonly tracked: TrackedOrders;
  private readonly views: VenueOrderViews;
  private readonly requests: VenueOrderRequests;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly streams: PrivateStreams;
  private readonly pacer = new SyncPacer();
  /** Reports the OMS refused (e.g. an order it no longer holds); kept for health. */
  droppedReports = 0;
  /** Orders of unknown outcome resolved as never placed after the bound. */
  resolvedNotFound = 0;

  constructor(private readonly opts: CcxtExecutionClientOptions) {
    this.venue = opts.exchange.id;
    this.tracked = new TrackedOrders(
      (orderId) => this.clientIdOf(orderId),
      (o) => opts.capabilities.clientIds.read(o),
    );
    this.views = new VenueOrderViews(opts, this.tracked, {
      report: (event) => this.report(event),
      spawn: (p) => this.spawn(p),
      classify: (e, what, orderId) => this.classify(e, what, orderId),
      cancelNow: (t) => this.requests.cancel(t),
      notFound: () => {
        this.resolvedNotFound += 1;
      },
    });
    this.requests = new VenueOrderRequests(opts, this.tracked, this.views, {
      report: (event) => this.report(event),
      classify: (e, what, orderId) => this.classify(e, what, orderId),
    });
    this.streams = new PrivateStreams(opts, {
      trades: (trades) => this.onStreamTrades(trades),
      orders: (orders) => this.onStreamOrders(orders),
      healthy: () => this.onStreamsHealthy(),
    });
  }

  setSink(sink: ExecutionReportSink): void {
    this.sink = sink;
  }

  /** The exchange's client order id of an OMS order id. */
  clientIdOf(orderId: string): string {
    return exchangeClientId(this.opts.capabilities, this.opts.clientIdPrefix, orderId);
  }

  /**
   * `request` replaces the order's own terms on the wire (an emulated child released as a
   * plain MARKET/LIMIT for the quantity left to protect); the client order id stays the order's.
   */
  submit(order: Order, request: OrderRequest = order.request): void {
    const t = this.tracked.track(order);
    this.spawn(this.requests.submit(t, request));
  }

  /**
   * Asks the exchange to cancel the order, and keeps asking until a view of the order shows
   * it ended: a cancel refused by a 5xx, a timeout or a ban, or one that reached the exchange
   * before the order's own submit did (the submit waiting for the order budget), would
   * otherwise leave the order working at the exchange after a kill switch.
   */
  cancel(order: Order, reason: string): void {
    const t = this.tracked.get(order.id) ?? this.tracked.track(order);
    t.cancelReason = reason;
    if (t.canceling !== true) this.spawn(this.requests.cancel(t));
  }

  /**
   * Takes an order restored from the journal after a restart. One that was SUBMITTED but
   * never acknowledged may or may not have reached the exchange: it is in flight until a
   * lookup by client order id says which.
   */
  adopt(order: Order, unknown: boolean = order.status === 'SUBMITTED'): void {
    const t = this.tracked.track(order);
    if (unknown) t.unknownSince = this.opts.now();
    // Known to the exchange before the restart: acknowledged, its view to be refreshed.
    else if (order.venueOrderId !== undefined) t.ackAt ??= this.opts.now();
  }

  /**
   * Amends a resting LIMIT order in place: a new price and/or a smaller quantity, same exchange
   * order id, same client order id (ccxt editOrder; Binance USDT-M PUT /fapi/v1/order:
   * https://developers.binance.com/docs/derivatives/usds-margined-futures/trade/rest-api/Modify-Order).
   * Where the exchange cannot amend in place it refuses with ERR_AMEND_NOT_SUPPORTED rather
   * than cancel and replace: the new order would need a new client id the OMS does not know,
   * and a fill of the old one racing the cancel would be booked against the wrong intent.
   * The OMS keeps the order's original quantity as its ceiling, so a larger quantity is refused
   * (ERR_AMEND_QUANTITY); what the exchange answers (fills, the end) is applied as usual.
   */
  amend(order: Order, change: AmendTerms): Promise<AmendResult> {
    return this.requests.amend(order, change);
  }

  /** The terms an order was last amended to at the exchange (undefined: never amended). */
  amendedTerms(orderId: string): AmendResult | undefined {
    return this.tracked.get(orderId)?.amended;
  }

  /** Orders still of unknown outcome, with how long they have been so (ms). */
  unknownOrders(): { orderId: string; ageMs: number }[] {
    return this.tracked.unknownOrders(this.opts.now());
  }

  /** Submits and cancels still waiting for the exchange's answer. */
  inFlight(): number {
    return this.pending.size;
  }

  /** Resolves when every request started so far has finished. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /**
   * One REST pass over every order the client manages: unknown outcomes are looked up by
   * client order id, open orders refreshed (fills, cancels, expiries the streams may have
   * missed). Called by the reconciliation, after the streams come back, and by tests.
   */
  async sync(): Promise<void> {
    const work = [...this.tracked.values()].map((t) => this.views.refresh(t));
    await Promise.allSettled(work);
  }

  /**
   * The periodic REST pass (every live.syncIntervalMs): looks up the orders that are due
   * (src/exchanges/ccxt/syncPace.ts). While the private streams are healthy, an acknowledged
   * order they cover is looked up only once its latest news is `streamSyncIntervalMs` old;
   * orders of unknown outcome, and every order while the streams are unhealthy, each pass.
   * An order whose lookup from an earlier pass is still under way is not asked about again.
   */
  async syncDue(streamSyncIntervalMs: number): Promise<void> {
    const now = this.opts.now();
    const since = this.streams.view()?.healthySince;
    const due = this.pacer.due(this.tracked.values(), since, now, streamSyncIntervalMs);
    await Promise.allSettled(due.map((t) => this.refreshPaced(t)));
  }

  /** The private streams' health (see PrivateStreamHealth for what "healthy" rests on). */
  streamHealth(): StreamHealthView | undefined {
    return this.streams.view();
  }

  /** The pace a paced pass would look the order up at now (undefined: not managed). */
  orderPace(orderId: string): SyncPace | undefined {
    const t = this.tracked.get(orderId);
    return t === undefined ? undefined : orderPaceOf(t, this.streams.view()?.healthySince);
  }

  /** Whether the REST sync runs at the streams' pace, and over how many orders. */
  syncPace(): SyncPaceView {
    return this.pacer.view(this.streams.view(), this.streams.running);
  }

  /**
   * Listens to the private streams (ccxt.pro watchOrders/watchMyTrades) until `stopStreams`;
   * a dropped stream is picked up again by ccxt on the next watch, and whatever it missed
   * meanwhile arrives through REST: every sync pass looks every order up while a stream is
   * down, and one full pass runs as soon as the streams are confirmed again.
   */
  startStreams(): void {
    this.streams.start();
  }

  stopStreams(): void {
    this.streams.stop();
  }

  /**
   * The streams cover every change from now on, but not what happened while they were down
   * (or before they first subscribed): one full REST pass at once fetches it, and gives each
   * order the baseline the streams continue from.
   */
  private onStreamsHealthy(): void {
    const pass = [...this.tracked.values()]
      .filter((t) => t.refreshing !== true)
      .map((t) => this.refreshPaced(t));
    this.spawn(Promise.allSettled(pass));
  }

  private async refreshPaced(t: TrackedOrder): Promise<void> {
    t.refreshing = true;
    try {
      await this.views.refresh(t);
    } finally {
      t.refreshing = false;
    }
  }

  private onStreamTrades(trades: CcxtTrade[]): void {
    for (const tr of trades) {
      const t = tr.order === undefined ? undefined : this.tracked.byVenueOrderId(String(tr.order));
      if (t === undefined) continue;
      t.streamAt = this.opts.now();
      this.report(fillOf(t.order, tr, t.streamAt));
    }
  }

  private onStreamOrders(orders: CcxtOrder[]): void {
    for (const o of orders) {
      const t = this.tracked.find(o);
      if (t === undefined) {
        // No order of ours: the exchange's own closing order (a liquidation) is told, so its
        // trades are booked at once rather than at the next reconciliation pass.
        const kind = forcedCloseKind(o.clientOrderId);
        if (kind !== undefined && o.symbol !== undefined) this.opts.onForcedClose?.(o.symbol, kind);
        continue;
      }
      t.streamAt = this.opts.now();
      // A stream's order update carries no trade ids: the fills behind it are fetched by REST.
      this.spawn(this.views.apply(t, o));
    }
  }

  private classify(e: unknown, what: string, orderId: string): ClassifiedError {
    const headers = (this.opts.exchange as { last_response_headers?: Record<string, unknown> })
      .last_response_headers;
    const c = classifyExchangeError(e, headers, this.opts.now());
    if (c.retryAfterMs !== undefined) this.opts.gate.block(c.retryAfterMs);
    this.opts.onProblem?.(what, c, orderId);
    return c;
  }

  private report(event: OrderEventInput): void {
    if (event.type === 'OrderFilled') crashPoint('fill-received-not-committed');
    try {
      this.sink(event);
    } catch (e) {
      // A report the OMS refuses before touching the order (retired from memory, transition
      // already made by another source) is stale news, not a reason to stop the venue.
      if (isQtsError(e) && STALE_REPORT_CODES.has(e.code)) this.droppedReports += 1;
      else this.opts.onReportFault(e, `${event.type} of order ${event.orderId} from ${this.venue}`);
    }
  }

  private spawn(p: Promise<unknown>): void {
    const tracked = p.catch(() => undefined).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }
}
