/**
 * Matching of the account's orders against the replayed market, for one venue (spot or
 * futures). The replayed market is never moved by our orders: it is a recording.
 *
 * Matching rules (deterministic, chosen to be simple to reason about in tests):
 * - On arrival, a MARKET order, or the marketable part of a LIMIT order, takes liquidity from
 *   the synthetic book as it stands at the replay cursor, level by level (one fill per level
 *   touched, at that level's price). What the book (100 levels by default) cannot fill expires.
 * - A resting LIMIT order fills, as maker at its own price, when a replayed trade prints at or
 *   through it (buy: trade price <= limit; sell: trade price >= limit), by at most that trade's
 *   amount: a large order fills partially over several trades. Orders share a trade's amount in
 *   price-time priority.
 * - IOC fills what it can on arrival and expires the rest; FOK fills entirely on arrival or
 *   expires with nothing filled; LIMIT_MAKER (spot) and GTX (futures) are refused if they
 *   would take.
 * - STOP_LOSS_LIMIT / TAKE_PROFIT_LIMIT rest without working until a replayed trade reaches
 *   the stop price (stop-loss: buy at or above, sell at or below; take-profit the opposite),
 *   then work as resting limit orders from that same trade on.
 * What an order costs and what a fill books is the ledger's business (SpotLedger,
 * FuturesLedger); this class only decides quantities and prices.
 */
import { mulUnits, parseUnits } from './decimal.js';
import type { MarketReplay } from './MarketReplay.js';
import { OrderStatus, isOpen } from './orders.js';
import type { ExecType, FakeFill, FakeOrder, OrderSide, Venue } from './orders.js';
import { BinanceError } from './RestApi.js';

/** A fill planned on arrival: price and quantity, in units of 1e-8. */
export interface PlannedFill {
  readonly price: bigint;
  readonly qty: bigint;
}

/** What a fill booked, as the ledger computed it. */
export interface Booking {
  readonly commission: bigint;
  readonly commissionAsset: string;
  readonly realizedPnl: bigint;
}

/** Balances or margin of one venue. */
export interface Ledger {
  /** Adjusts an order before matching (futures: a reduce-only order shrinks to the position). */
  prepare(order: FakeOrder): void;
  /** Checks (throws BinanceError) and reserves what `order` needs, knowing its fills on arrival. */
  admit(order: FakeOrder, planned: readonly PlannedFill[], market: MarketReplay): void;
  /** Books one fill of `order`. */
  settle(order: FakeOrder, fill: PlannedFill, maker: boolean, market: MarketReplay): Booking;
  /** The order ended: gives back what it still holds. */
  release(order: FakeOrder): void;
}

/** Where order changes go (the user-data streams). */
export interface MatcherEvents {
  order(order: FakeOrder, execType: ExecType, fill: FakeFill | undefined): void;
  /** A batch of fills or reservations changed the ledger of `venue`. */
  ledgerChanged(venue: Venue, reason: string): void;
}

/** An order as a route parsed and validated it. */
export interface OrderRequest {
  readonly symbol: string;
  readonly clientOrderId: string;
  readonly side: OrderSide;
  readonly type: string;
  readonly timeInForce: string | undefined;
  readonly price: bigint;
  readonly stopPrice: bigint;
  readonly qty: bigint;
  readonly quoteOrderQty: bigint;
  readonly reduceOnly: boolean;
}

/** The orders and fills of one venue. */
export class OrderMatcher {
  private readonly orders: FakeOrder[] = [];
  private readonly byId = new Map<number, FakeOrder>();
  private readonly fillList: FakeFill[] = [];
  private readonly created = new Map<string, number>();
  private nextOrderId: number;

  constructor(
    readonly venue: Venue,
    private readonly ledger: Ledger,
    private readonly events: MatcherEvents,
    private readonly nextTradeId: () => number,
    firstOrderId: number,
  ) {
    this.nextOrderId = firstOrderId;
  }

  /** Every order, oldest first. */
  get all(): readonly FakeOrder[] {
    return this.orders;
  }

  /** Every fill, oldest first. */
  get fills(): readonly FakeFill[] {
    return this.fillList;
  }

  /** How many orders were created with this client order id (duplicates show as > 1). */
  createdCount(clientOrderId: string): number {
    return this.created.get(clientOrderId) ?? 0;
  }

  /** The order with this id or (latest) client order id. */
  find(symbol: string, orderId?: number, clientOrderId?: string): FakeOrder | undefined {
    if (orderId !== undefined) {
      const o = this.byId.get(orderId);
      return o?.symbol === symbol ? o : undefined;
    }
    for (let i = this.orders.length - 1; i >= 0; i--) {
      const o = this.orders[i] as FakeOrder;
      if (o.symbol === symbol && o.clientOrderId === clientOrderId) return o;
    }
    return undefined;
  }

  /** Open orders, of one market or all. */
  open(symbol?: string): FakeOrder[] {
    return this.orders.filter((o) => isOpen(o) && (symbol === undefined || o.symbol === symbol));
  }

  /** Places an order: admission, fills on arrival, then rests or ends. */
  place(req: OrderRequest, market: MarketReplay, duplicateError: () => BinanceError): FakeOrder {
    if (this.orders.some((o) => isOpen(o) && o.clientOrderId === req.clientOrderId)) throw duplicateError();
    const order = this.newOrder(req, market.now());
    this.ledger.prepare(order);
    const isStop = req.type === 'STOP_LOSS_LIMIT' || req.type === 'TAKE_PROFIT_LIMIT';
    let planned: PlannedFill[] = [];
    if (isStop) {
      const last = lastPrice(market);
      if (last !== undefined && triggers(order, last))
        throw new BinanceError(400, -2010, 'Stop price would trigger immediately.');
      order.working = false;
    } else {
      const limit = req.type === 'MARKET' ? undefined : req.price;
      planned = takeFromBook(market, req.side, order.origQty, req.quoteOrderQty, limit);
      const plannedQty = planned.reduce((s, f) => s + f.qty, 0n);
      if (planned.length > 0 && (req.type === 'LIMIT_MAKER' || req.timeInForce === 'GTX')) {
        throw this.venue === 'spot'
          ? new BinanceError(400, -2010, 'Order would immediately match and take.')
          : new BinanceError(
              400,
              -5022,
              'Due to the order could not be executed as maker, the Post Only order will be rejected. The order will not be recorded in the order history',
            );
      }
      if (req.timeInForce === 'FOK' && plannedQty < order.origQty) planned = [];
      // Binance reports a market order by quote amount with the quantity it could buy.
      if (req.quoteOrderQty > 0n) order.origQty = plannedQty;
    }
    this.ledger.admit(order, planned, market);
    this.add(order);
    for (const f of planned) this.fill(order, f, false, market);
    const restsAfterArrival =
      isStop || (req.type !== 'MARKET' && req.timeInForce !== 'IOC' && req.timeInForce !== 'FOK');
    if (isOpen(order) && !restsAfterArrival) this.end(order, OrderStatus.Expired, market.now());
    this.events.ledgerChanged(this.venue, 'ORDER');
    return order;
  }

  /**
   * The exchange's own closing order of a position (liquidation, auto-deleveraging): no
   * admission and no book, it fills at `fills` (as the exchange's matching gave them) and what
   * is left expires, like Binance's IOC force orders.
   */
  forceFill(req: OrderRequest, fills: readonly PlannedFill[], market: MarketReplay): FakeOrder {
    const order = this.newOrder(req, market.now());
    this.add(order);
    for (const f of fills) this.fill(order, f, false, market);
    if (isOpen(order)) this.end(order, OrderStatus.Expired, market.now());
    this.events.ledgerChanged(this.venue, 'ORDER');
    return order;
  }

  /** Ends the open orders of `symbol` as EXPIRED (Binance, expire reason 5: the account was liquidated). */
  expireOpen(symbol: string, now: number): void {
    for (const o of this.open(symbol)) this.end(o, OrderStatus.Expired, now);
  }

  private newOrder(req: OrderRequest, now: number): FakeOrder {
    const order: FakeOrder = {
      venue: this.venue,
      symbol: req.symbol,
      orderId: this.nextOrderId,
      clientOrderId: req.clientOrderId,
      side: req.side,
      type: req.type,
      timeInForce: req.timeInForce,
      price: req.price,
      stopPrice: req.stopPrice,
      origQty: req.qty,
      quoteOrderQty: req.quoteOrderQty,
      reduceOnly: req.reduceOnly,
      time: now,
      executedQty: 0n,
      cumQuote: 0n,
      status: OrderStatus.New,
      updateTime: now,
      working: true,
      locked: 0n,
    };
    return order;
  }

  private add(order: FakeOrder): void {
    this.nextOrderId++;
    this.orders.push(order);
    this.byId.set(order.orderId, order);
    this.created.set(order.clientOrderId, (this.created.get(order.clientOrderId) ?? 0) + 1);
    this.events.order(order, 'NEW', undefined);
  }

  /** Cancels an open order; -2011 when it is unknown or already ended. */
  cancel(order: FakeOrder | undefined, now: number, byClientId?: string): FakeOrder {
    if (order === undefined || !isOpen(order)) throw new BinanceError(400, -2011, 'Unknown order sent.');
    if (byClientId !== undefined) order.origClientOrderId = byClientId;
    this.end(order, OrderStatus.Canceled, now);
    this.events.ledgerChanged(this.venue, 'ORDER');
    return order;
  }

  /** Fills resting orders of `market` that replayed trade `index` reaches. */
  onTrade(market: MarketReplay, index: number): void {
    const price = parseUnits(String(market.tape.price[index])) ?? 0n;
    let budget = parseUnits(String(market.tape.amount[index])) ?? 0n;
    const mine = this.open(market.id);
    if (mine.length === 0) return;
    for (const o of mine) if (!o.working && triggers(o, price)) o.working = true;
    const crossing = mine
      .filter((o) => o.working && (o.side === 'BUY' ? price <= o.price : price >= o.price))
      .sort((a, b) =>
        a.price === b.price
          ? a.orderId - b.orderId
          : (a.side === 'BUY' ? b.price > a.price : a.price > b.price)
            ? 1
            : -1,
      );
    let any = false;
    for (const o of crossing) {
      if (budget <= 0n) break;
      const remaining = o.origQty - o.executedQty;
      const qty = remaining < budget ? remaining : budget;
      budget -= qty;
      this.fill(o, { price: o.price, qty }, true, market);
      any = true;
    }
    if (any) this.events.ledgerChanged(this.venue, 'ORDER');
  }

  private fill(order: FakeOrder, f: PlannedFill, maker: boolean, market: MarketReplay): void {
    const booking = this.ledger.settle(order, f, maker, market);
    const now = market.now();
    order.executedQty += f.qty;
    order.cumQuote += mulUnits(f.qty, f.price);
    order.updateTime = now;
    const done = order.executedQty >= order.origQty;
    order.status = done ? OrderStatus.Filled : OrderStatus.PartiallyFilled;
    const fill: FakeFill = {
      venue: this.venue,
      symbol: order.symbol,
      tradeId: this.nextTradeId(),
      orderId: order.orderId,
      clientOrderId: order.clientOrderId,
      side: order.side,
      price: f.price,
      qty: f.qty,
      quoteQty: mulUnits(f.qty, f.price),
      commission: booking.commission,
      commissionAsset: booking.commissionAsset,
      maker,
      time: now,
      realizedPnl: booking.realizedPnl,
    };
    this.fillList.push(fill);
    if (done) this.ledger.release(order);
    this.events.order(order, 'TRADE', fill);
  }

  private end(order: FakeOrder, status: OrderStatus, now: number): void {
    order.status = status;
    order.updateTime = now;
    this.ledger.release(order);
    this.events.order(order, status === OrderStatus.Canceled ? 'CANCELED' : 'EXPIRED', undefined);
  }
}

/** The price of the last replayed trade, undefined before the first. */
export function lastPrice(market: MarketReplay): bigint | undefined {
  const i = market.cursor - 1;
  return i < 0 ? undefined : parseUnits(String(market.tape.price[i]));
}

/** Whether a trade at `price` triggers stop order `o`. */
function triggers(o: FakeOrder, price: bigint): boolean {
  if (o.type === 'STOP_LOSS_LIMIT') return o.side === 'BUY' ? price >= o.stopPrice : price <= o.stopPrice;
  if (o.type === 'TAKE_PROFIT_LIMIT') return o.side === 'BUY' ? price <= o.stopPrice : price >= o.stopPrice;
  return false;
}

/**
 * The fills an order taking liquidity would get from the synthetic book at the cursor: by
 * quantity, or (quoteQty > 0) by quote amount in whole lots, never through `limit`.
 */
export function takeFromBook(
  market: MarketReplay,
  side: OrderSide,
  qty: bigint,
  quoteQty: bigint,
  limit: bigint | undefined,
): PlannedFill[] {
  const book = market.book.snapshot(market.cursor);
  const levels = side === 'BUY' ? book.asks : book.bids;
  const lot = parseUnits(market.lotSize) ?? 1n;
  const out: PlannedFill[] = [];
  let left = qty;
  let quoteLeft = quoteQty;
  for (const [p, q] of levels) {
    const price = parseUnits(p) ?? 0n;
    const available = parseUnits(q) ?? 0n;
    if (limit !== undefined && (side === 'BUY' ? price > limit : price < limit)) break;
    let take: bigint;
    if (quoteQty > 0n) {
      const affordable = ((quoteLeft * 100_000_000n) / price / lot) * lot;
      take = affordable < available ? affordable : available;
    } else take = left < available ? left : available;
    if (take <= 0n) break;
    out.push({ price, qty: take });
    left -= take;
    quoteLeft -= mulUnits(take, price);
    if (quoteQty === 0n && left === 0n) break;
  }
  return out;
}
