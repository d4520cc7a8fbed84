import type { Exchange, Order as CcxtOrder, Trade as CcxtTrade } from 'ccxt';
import type { Fixed } from '../../core/Fixed.js';
import { ZERO, add, formatFixed } from '../../core/Fixed.js';
import { QtsError, isQtsError } from '../../core/QtsError.js';
import { crashPoint } from '../../execution/crashPoint.js';
import type { ExecutionClient, ExecutionReportSink } from '../../execution/ExecutionClient.js';
import type { OrderEventInput } from '../../model/events.js';
import type { Order } from '../../model/Order.js';
import type { OrderRequest } from '../../model/OrderRequest.js';
import type { ClassifiedError } from './classifyExchangeError.js';
import { classifyExchangeError } from './classifyExchangeError.js';
import type { ExecutionCapabilities } from './executionCapabilities.js';
import { exchangeClientId } from './executionCapabilities.js';
import type { VenueOrderSnapshot } from './executionMappers.js';
import { createArgs, endOf, exact, fillOf, snapshotOf, wire } from './executionMappers.js';
import { fetchOrderFills } from './fetchOrderFills.js';
import type { StreamHealthView } from './PrivateStreamHealth.js';
import { PrivateStreamHealth } from './PrivateStreamHealth.js';
import { privateSocketsOpen } from './privateSocketsOpen.js';
import type { RequestGate } from './RequestGate.js';
import type { OrderSyncFacts } from './syncPace.js';
import { SyncPace, isRefreshDue, paceOf } from './syncPace.js';

/** Settings of a CcxtExecutionClient. */
export interface CcxtExecutionClientOptions {
  /** A ccxt instance holding the account's keys (never the market-data instance). */
  readonly exchange: Exchange;
  readonly capabilities: ExecutionCapabilities;
  /** Prepended to every OMS order id to form the exchange's client order id. */
  readonly clientIdPrefix: string;
  readonly gate: RequestGate;
  readonly now: () => number;
  /**
   * Longest time an order may stay of unknown outcome. Past it, an exchange that still
   * definitively answers "no such order" has never seen it: it cannot arrive later, because
   * the bound is chosen above the request's timeout plus the exchange's receive window, after
   * which a delayed request is refused on arrival.
   */
  readonly resolveWithinMs: number;
  /** Told of every request that failed and how it was classified. */
  readonly onProblem?: (what: string, err: ClassifiedError, orderId?: string) => void;
  /** Told when an order of unknown outcome is resolved (found, or rejected after the bound). */
  readonly onResolved?: (orderId: string, unknownSince: number) => void;
  /** Pause before a failed private stream is watched again (default 500 ms). */
  readonly streamRetryMs?: number;
  /**
   * How long a (re)subscribing watch must stay pending on open sockets, without a message, to
   * count as subscribed (default 1000 ms): a refused connection or signature fails sooner.
   */
  readonly streamConfirmMs?: number;
}

/** The REST sync's pace as of the last paced pass (see `syncDue`). */
export interface SyncPaceView {
  /** Private streams: off (not started or not supported), healthy or unhealthy. */
  readonly streams: 'off' | 'healthy' | 'unhealthy';
  readonly detail: string;
  /** Orders looked up every pass (unknown outcome, unacknowledged, not covered by the streams). */
  readonly fastOrders: number;
  /** Orders looked up only when their news is streamSyncIntervalMs old. */
  readonly slowOrders: number;
  /** Lookups made by paced passes, and the ones they skipped because the streams covered the order. */
  readonly lookups: number;
  readonly skipped: number;
}

/** What the client knows of one order it manages. */
interface Tracked {
  readonly order: Order;
  readonly clientId: string;
  /** Set while the outcome of the submit is unknown: when resolution must be done by. */
  unknownSince: number | undefined;
  /**
   * Set while the submit's own request is waiting for its turn or its answer: that answer
   * will tell what became of the order, so a lookup meanwhile would only ask the exchange
   * about an order it may not have been sent yet, and take a turn from the requests behind.
   */
  sending?: boolean;
  /** The terms of the last successful amend. */
  amended?: AmendResult;
  /** When the exchange's view first carried its order id (engine ms). */
  ackAt?: number;
  /** When a REST answer about it was last applied. */
  restAt?: number;
  /** When a private stream last spoke of it. */
  streamAt?: number;
  /** A paced lookup of it is under way (the next pass does not ask again meanwhile). */
  refreshing?: boolean;
}

/** What to change of a resting order; what is not given stays. */
export interface AmendChange {
  readonly price?: Fixed;
  readonly quantity?: Fixed;
}

/** The terms the exchange confirmed after an amend. */
export interface AmendResult {
  readonly price: Fixed;
  readonly quantity: Fixed;
}

/**
 * The live venue: our orders through ccxt's unified API, outcomes back as OMS reports.
 *
 * Every call goes through the RequestGate (bans, order budget). A submit that fails without
 * a trustworthy answer is never sent again: the order stays in flight and `sync()` looks it
 * up by its client order id until the exchange tells what became of it. Fills reach the OMS
 * from the create response, REST lookups and private streams alike; the OMS books each trade
 * id once, so overlapping sources are harmless.
 */
export class CcxtExecutionClient implements ExecutionClient {
  readonly venue: string;
  private sink: ExecutionReportSink = () => undefined;
  private readonly tracked = new Map<string, Tracked>();
  private readonly byVenueId = new Map<string, Tracked>();
  private readonly pending = new Set<Promise<unknown>>();
  private streaming = false;
  private health: PrivateStreamHealth | undefined;
  private paceCounts = { fastOrders: 0, slowOrders: 0, lookups: 0, skipped: 0 };
  /** Reports the OMS refused (e.g. an order it no longer holds); kept for health. */
  droppedReports = 0;
  /** Orders of unknown outcome resolved as never placed after the bound. */
  resolvedNotFound = 0;

  constructor(private readonly opts: CcxtExecutionClientOptions) {
    this.venue = opts.exchange.id;
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
    const t = this.track(order);
    this.spawn(this.submitNow(t, request));
  }

  cancel(order: Order, reason: string): void {
    const t = this.tracked.get(order.id) ?? this.track(order);
    this.spawn(this.cancelNow(t, reason));
  }

  /**
   * Takes an order restored from the journal after a restart. One that was SUBMITTED but
   * never acknowledged may or may not have reached the exchange: it is in flight until a
   * lookup by client order id says which.
   */
  adopt(order: Order, unknown: boolean = order.status === 'SUBMITTED'): void {
    const t = this.track(order);
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
  async amend(order: Order, change: AmendChange): Promise<AmendResult> {
    const caps = this.opts.capabilities;
    if (!caps.amend)
      throw new QtsError('ERR_AMEND_NOT_SUPPORTED', `${this.venue} cannot amend an order in place`);
    const t = this.tracked.get(order.id);
    const venueId = order.venueOrderId;
    if (t === undefined || !order.isOpen || venueId === undefined)
      throw new QtsError(
        'ERR_AMEND_NOT_OPEN',
        `order ${order.id} is not open and acknowledged at ${this.venue}`,
      );
    const r = order.request;
    if (r.type !== 'LIMIT')
      throw new QtsError('ERR_AMEND_INVALID', `only LIMIT orders can be amended (${order.id} is ${r.type})`);
    const quantity = change.quantity ?? t.amended?.quantity ?? r.quantity;
    const price = change.price ?? t.amended?.price ?? r.price;
    if (quantity > r.quantity || quantity <= order.filledQty || price === undefined || price <= 0n)
      throw new QtsError(
        'ERR_AMEND_QUANTITY',
        `amend of ${order.id}: quantity must be above the ${formatFixed(order.filledQty)} filled and at most the ${formatFixed(r.quantity)} ordered, price above 0`,
      );
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
      const c = this.classify(e, 'editOrder', order.id);
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
    this.report({
      type: 'OrderAmended',
      price: amended.price,
      quantity: amended.quantity,
      previousPrice: r.price,
      previousQuantity: r.quantity,
      reason: order.pendingAmend?.reason ?? 'amended',
      orderId: order.id,
      strategyId: order.strategyId,
      symbol: order.symbol,
      ts: this.opts.now(),
    });
    await this.apply(t, o);
    return amended;
  }

  /** The terms an order was last amended to at the exchange (undefined: never amended). */
  amendedTerms(orderId: string): AmendResult | undefined {
    return this.tracked.get(orderId)?.amended;
  }

  /** Orders still of unknown outcome, with how long they have been so (ms). */
  unknownOrders(): { orderId: string; ageMs: number }[] {
    const now = this.opts.now();
    const out: { orderId: string; ageMs: number }[] = [];
    for (const t of this.tracked.values())
      if (t.unknownSince !== undefined) out.push({ orderId: t.order.id, ageMs: now - t.unknownSince });
    return out;
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
    const work = [...this.tracked.values()].map((t) => this.refresh(t));
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
    const since = this.health?.view().healthySince;
    const counts = { fastOrders: 0, slowOrders: 0, lookups: 0, skipped: 0 };
    const work: Promise<void>[] = [];
    for (const t of this.tracked.values()) {
      const facts = factsOf(t);
      if (paceOf(facts, since) === SyncPace.SLOW) counts.slowOrders += 1;
      else counts.fastOrders += 1;
      if (t.refreshing === true) continue;
      if (!isRefreshDue(facts, since, now, streamSyncIntervalMs)) {
        counts.skipped += 1;
        continue;
      }
      counts.lookups += 1;
      work.push(this.refreshPaced(t));
    }
    this.paceCounts = {
      ...counts,
      lookups: this.paceCounts.lookups + counts.lookups,
      skipped: this.paceCounts.skipped + counts.skipped,
    };
    await Promise.allSettled(work);
  }

  /** The private streams' health (see PrivateStreamHealth for what "healthy" rests on). */
  streamHealth(): StreamHealthView | undefined {
    return this.health?.view();
  }

  /** The pace a paced pass would look the order up at now (undefined: not managed). */
  orderPace(orderId: string): SyncPace | undefined {
    const t = this.tracked.get(orderId);
    return t === undefined ? undefined : paceOf(factsOf(t), this.health?.view().healthySince);
  }

  /** Whether the REST sync runs at the streams' pace, and over how many orders. */
  syncPace(): SyncPaceView {
    const h = this.health?.view();
    const streams = h === undefined || !this.streaming ? 'off' : h.healthy ? 'healthy' : 'unhealthy';
    return { streams, detail: h?.detail ?? 'private streams off', ...this.paceCounts };
  }

  /**
   * Listens to the private streams (ccxt.pro watchOrders/watchMyTrades) until `stopStreams`;
   * a dropped stream is picked up again by ccxt on the next watch, and whatever it missed
   * meanwhile arrives through REST: every sync pass looks every order up while a stream is
   * down, and one full pass runs as soon as the streams are confirmed again.
   */
  startStreams(): void {
    if (this.streaming || !this.opts.capabilities.privateStreams) return;
    const ex = this.opts.exchange;
    const names = (['watchMyTrades', 'watchOrders'] as const).filter((n) => ex.has[n] === true);
    if (names.length === 0) return;
    this.streaming = true;
    this.health = new PrivateStreamHealth(names, this.opts.streamConfirmMs ?? 1_000);
    this.health.setRunning(true, this.opts.now());
    // Not in `pending`: a watch waits for news indefinitely, so idle() must not wait for it;
    // a loop ends when stopStreams() is followed by closing the exchange.
    if (ex.has['watchMyTrades'] === true)
      void this.streamLoop(
        'watchMyTrades',
        () => ex.watchMyTrades(),
        (trades) => this.onStreamTrades(trades),
      ).catch(() => undefined);
    if (ex.has['watchOrders'] === true)
      void this.streamLoop(
        'watchOrders',
        () => ex.watchOrders(),
        (orders) => this.onStreamOrders(orders),
      ).catch(() => undefined);
  }

  stopStreams(): void {
    this.streaming = false;
    this.health?.setRunning(false, this.opts.now());
  }

  private async streamLoop<T>(
    name: string,
    watch: () => Promise<T[]>,
    handle: (items: T[]) => void,
  ): Promise<void> {
    const health = this.health;
    if (health === undefined) return;
    while (this.streaming) {
      health.watching(name, this.opts.now());
      const confirming = health.subscribing(name) ? this.confirmWhilePending(health, name) : undefined;
      try {
        const items = await watch();
        clearTimeout(confirming?.timer);
        if (health.received(name, this.opts.now())) this.onStreamsHealthy();
        handle(items);
      } catch (e) {
        clearTimeout(confirming?.timer);
        if (!this.streaming) return;
        const c = classifyExchangeError(e, undefined, this.opts.now());
        health.failed(name, this.opts.now(), c.message);
        this.opts.onProblem?.('stream', c);
        if (c.retryAfterMs !== undefined) this.opts.gate.block(c.retryAfterMs);
        // A refused reconnection fails at once: pause so a dead stream is not hammered.
        await new Promise((r) => setTimeout(r, this.opts.streamRetryMs ?? 500));
        await this.opts.gate.run(() => Promise.resolve());
      }
    }
  }

  /**
   * While a (re)subscribing watch is pending, checks every `streamConfirmMs` whether it has
   * held long enough on open sockets to count as subscribed (a quiet account sends nothing).
   */
  private confirmWhilePending(health: PrivateStreamHealth, name: string): { timer?: NodeJS.Timeout } {
    const every = this.opts.streamConfirmMs ?? 1_000;
    const handle: { timer?: NodeJS.Timeout } = {};
    const check = (): void => {
      if (!this.streaming || !health.subscribing(name)) return;
      if (health.settled(name, this.opts.now(), privateSocketsOpen(this.opts.exchange)))
        this.onStreamsHealthy();
      else if (health.subscribing(name)) arm();
    };
    const arm = (): void => {
      handle.timer = setTimeout(check, every);
      handle.timer.unref();
    };
    arm();
    return handle;
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

  private async refreshPaced(t: Tracked): Promise<void> {
    t.refreshing = true;
    try {
      await this.refresh(t);
    } finally {
      t.refreshing = false;
    }
  }

  private onStreamTrades(trades: CcxtTrade[]): void {
    for (const tr of trades) {
      const t = tr.order === undefined ? undefined : this.byVenueId.get(String(tr.order));
      if (t === undefined) continue;
      t.streamAt = this.opts.now();
      this.report(fillOf(t.order, tr, t.streamAt));
    }
  }

  private onStreamOrders(orders: CcxtOrder[]): void {
    for (const o of orders) {
      const t = this.lookup(o);
      if (t === undefined) continue;
      t.streamAt = this.opts.now();
      // A stream's order update carries no trade ids: the fills behind it are fetched by REST.
      this.spawn(this.apply(t, o));
    }
  }

  private lookup(o: CcxtOrder): Tracked | undefined {
    const byVenue = this.byVenueId.get(String(o.id));
    if (byVenue) return byVenue;
    const ours = this.opts.capabilities.clientIds.read(o);
    if (ours === undefined) return undefined;
    for (const t of this.tracked.values()) if (t.clientId === ours) return t;
    return undefined;
  }

  private track(order: Order): Tracked {
    const existing = this.tracked.get(order.id);
    if (existing) return existing;
    const t: Tracked = { order, clientId: this.clientIdOf(order.id), unknownSince: undefined };
    this.tracked.set(order.id, t);
    if (order.venueOrderId !== undefined) this.byVenueId.set(order.venueOrderId, t);
    return t;
  }

  private async submitNow(t: Tracked, request: OrderRequest): Promise<void> {
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
      await this.apply(t, o);
    } catch (e) {
      const c = this.classify(e, 'createOrder', t.order.id);
      if (c.kind === 'rejected') {
        this.report({
          type: 'OrderRejected',
          code: c.code,
          reason: c.message,
          orderId: t.order.id,
          strategyId: t.order.strategyId,
          symbol: t.order.symbol,
          ts: this.opts.now(),
        });
        this.forget(t);
        return;
      }
      // Timeout, 5xx, dropped connection, rate limit, duplicate id: the order may exist.
      t.unknownSince ??= this.opts.now();
    } finally {
      t.sending = false;
    }
  }

  private async cancelNow(t: Tracked, reason: string): Promise<void> {
    const asked = this.opts.now();
    try {
      const o = await this.opts.gate.run(
        () =>
          this.opts.exchange.cancelOrder(
            t.order.venueOrderId ?? '',
            t.order.symbol,
            this.opts.capabilities.clientIds.cancel(t.clientId),
          ),
        false,
        true,
      );
      t.restAt = asked;
      await this.apply(t, { ...o, status: o.status ?? 'canceled' }, reason);
    } catch (e) {
      this.classify(e, 'cancelOrder', t.order.id);
      // Already filled, already canceled or not reachable: the next sync tells which.
      await this.refresh(t);
    }
  }

  /** Looks the order up by client order id and applies what the exchange says. */
  private async refresh(t: Tracked): Promise<void> {
    if (t.order.isTerminal) {
      this.forget(t);
      return;
    }
    if (t.sending === true) return;
    const caps = this.opts.capabilities;
    const venueId = t.order.venueOrderId;
    // Without a lookup by client id (Deribit), only an acknowledged order can be asked about;
    // one of unknown outcome stays unknown, and health reports it past the bound.
    if (!caps.fetchByClientId && venueId === undefined) return;
    // The answer shows the order as of some moment after this one (see syncPace).
    const asked = this.opts.now();
    try {
      const o = await this.opts.gate.run(() =>
        caps.fetchByClientId
          ? caps.clientIds.fetch(this.opts.exchange, t.order.symbol, t.clientId)
          : this.opts.exchange.fetchOrder(venueId ?? '', t.order.symbol),
      );
      t.restAt = asked;
      await this.apply(t, o);
    } catch (e) {
      const c = this.classify(e, 'fetchOrder', t.order.id);
      if (c.kind === 'not-found' && t.unknownSince !== undefined) {
        if (this.opts.now() - t.unknownSince < this.opts.resolveWithinMs) return;
        this.resolvedNotFound += 1;
        this.report({
          type: 'OrderRejected',
          code: 'ERR_ORDER_NEVER_REACHED_EXCHANGE',
          reason: `the exchange has no order ${t.clientId} ${this.opts.resolveWithinMs} ms after the submit`,
          orderId: t.order.id,
          strategyId: t.order.strategyId,
          symbol: t.order.symbol,
          ts: this.opts.now(),
        });
        this.resolved(t);
        this.forget(t);
      }
    }
  }

  private resolved(t: Tracked): void {
    if (t.unknownSince === undefined) return;
    const since = t.unknownSince;
    t.unknownSince = undefined;
    this.opts.onResolved?.(t.order.id, since);
  }

  /** Applies an exchange view of the order: acknowledgement, fills (with trade ids), end. */
  private async apply(t: Tracked, o: CcxtOrder, cancelReason?: string): Promise<void> {
    const snap = snapshotOf(o);
    this.resolved(t);
    if (snap.venueOrderId !== '' && snap.venueOrderId !== 'undefined') {
      this.byVenueId.set(snap.venueOrderId, t);
      t.ackAt ??= this.opts.now();
      if (t.order.status === 'SUBMITTED')
        this.report({
          type: 'OrderAccepted',
          venueOrderId: snap.venueOrderId,
          orderId: t.order.id,
          strategyId: t.order.strategyId,
          symbol: t.order.symbol,
          ts: this.opts.now(),
        });
    }
    if (snap.filled > t.order.filledQty) await this.applyFills(t, o, snap);
    if (snap.state === 'open' || t.order.isTerminal) return;
    // Every fill must be booked before the end is: otherwise a late fill would hit a closed order.
    if (snap.filled > t.order.filledQty) return;
    const end =
      snap.state === 'closed'
        ? closedShort(t.order, snap.filled, this.opts.now())
        : endOf(t.order, snap.state, this.opts.now());
    if (end === undefined) return;
    if (end?.type === 'OrderCanceled' && cancelReason !== undefined)
      this.report({ ...end, reason: cancelReason });
    else if (end) this.report(end);
    this.forget(t);
  }

  private async applyFills(t: Tracked, o: CcxtOrder, snap: VenueOrderSnapshot): Promise<void> {
    let trades = (o.trades ?? []).filter((tr) => tr.id !== undefined);
    if (trades.length === 0 || sumQty(trades) < snap.filled) {
      try {
        trades = await this.opts.gate.run(() =>
          fetchOrderFills(this.opts.exchange, snap.venueOrderId, t.order.symbol),
        );
      } catch (e) {
        this.classify(e, 'fetchOrderTrades', t.order.id);
        return;
      }
    }
    const now = this.opts.now();
    for (const tr of [...trades].sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0)))
      this.report(fillOf(t.order, tr, now));
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
      // A report the OMS cannot take (order retired from memory, transition already made by
      // another source) is stale news, not a reason to stop the venue.
      if (isQtsError(e) || e instanceof Error) this.droppedReports += 1;
      else throw e;
    }
  }

  private forget(t: Tracked): void {
    this.tracked.delete(t.order.id);
    if (t.order.venueOrderId !== undefined) this.byVenueId.delete(t.order.venueOrderId);
  }

  private spawn(p: Promise<unknown>): void {
    const tracked = p.catch(() => undefined).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }
}

/**
 * The end of an order the exchange closed with less filled than we ordered: Binance cuts a
 * reduce-only order to the position it can close, and an amend may have lowered it. The rest
 * will never fill; the order ends as canceled with the reason. Undefined when fully filled.
 */
function closedShort(order: Order, filled: Fixed, now: number): OrderEventInput | undefined {
  if (filled >= order.quantity) return undefined;
  return {
    type: 'OrderCanceled',
    reason: `the exchange closed the order with ${formatFixed(filled)} of ${formatFixed(order.quantity)} filled (cut to the position or amended)`,
    orderId: order.id,
    strategyId: order.strategyId,
    symbol: order.symbol,
    ts: now,
  };
}

function sumQty(trades: readonly CcxtTrade[]): Fixed {
  let s = ZERO;
  for (const tr of trades) s = add(s, exact(tr.amount));
  return s;
}

function factsOf(t: Tracked): OrderSyncFacts {
  return { unknown: t.unknownSince !== undefined, ackAt: t.ackAt, restAt: t.restAt, streamAt: t.streamAt };
}
