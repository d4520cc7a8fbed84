import type { Fixed, Numeric } from '../../../src/core/Fixed.js';
import {
  ZERO,
  add,
  div,
  floorToStep,
  fromNumber,
  mul,
  mulDiv,
  roundToStep,
  sub,
  toFixed,
  toNumber,
} from '../../../src/core/Fixed.js';
import type { Millis } from '../../../src/core/time.js';
import type { Bar } from '../../../src/model/Bar.js';
import type { OrderSide } from '../../../src/model/enums.js';
import type { OrderEvent, OrderEventInput } from '../../../src/model/events.js';
import type { Instrument, InstrumentSpec } from '../../../src/model/Instrument.js';
import { makeInstrument } from '../../../src/model/Instrument.js';
import { Order } from '../../../src/model/Order.js';
import type { OrderRequest } from '../../../src/model/OrderRequest.js';
import { MemoryStateStore } from '../../../src/node/MemoryStateStore.js';
import type { Strategy } from '../../../src/strategy/Strategy.js';
import { checkTimerInterval } from '../../../src/strategy/timerInterval.js';
import type {
  Bracket,
  BracketIntent,
  OrderIntent,
  OrderOptions,
  PortfolioView,
  PositionView,
  StrategyContext,
  StrategyLogger,
} from '../../../src/strategy/StrategyContext.js';

export interface FakeContextOptions {
  readonly symbols?: readonly string[];
  readonly timeframe?: string;
  /** Starting cash in the quote currency of the first symbol. */
  readonly cash?: Numeric;
  /** What a buy without quantity gets (the "sizer"). */
  readonly buyQuantity?: Numeric;
  /** Fee rate on every fill, charged in quote. */
  readonly fee?: number;
  readonly instruments?: readonly InstrumentSpec[];
  /** A state store to share with a restarted strategy. */
  readonly state?: MemoryStateStore;
  /** Prefix of order ids (default "F"): a restarted context names its orders apart from the last run's. */
  readonly orderIdPrefix?: string;
  /**
   * Orders of earlier runs the "journal" holds: found by `order(id)` (as the engine reads its
   * journal), never worked against bars.
   */
  readonly journal?: readonly Order[];
}

/** One order as the tests read it back: what was asked, on which bar. */
export interface PlacedOrder {
  readonly bar: number;
  readonly side: OrderSide;
  readonly type: string;
  readonly quantity: number;
  readonly price: number | undefined;
  readonly order: Order;
}

/**
 * A small, honest StrategyContext for unit tests: a one-account spot book with a toy
 * venue. `processBar` first fills working orders against the bar (market at the open;
 * limit buys when the low reaches the price, at min(price, open); limit sells when the
 * high reaches it, at max(price, open)), then marks the price and hands the bar to the
 * strategy, in the order the backtest runner does. Every order event reaches the
 * strategy's onOrderUpdate/onFill synchronously, as on the real bus.
 */
export class FakeContext implements StrategyContext {
  readonly strategyId = 'test';
  readonly symbols: readonly string[];
  readonly timeframe: string;
  readonly state: MemoryStateStore;
  readonly portfolio: PortfolioView;
  /** A strategy test may set it to see how the strategy behaves on warm-up history. */
  isWarmingUp = false;
  readonly clock: { now(): Millis };
  readonly logs: { level: string; msg: string }[] = [];
  readonly log: StrategyLogger;
  readonly placed: PlacedOrder[] = [];
  readonly subscriptions: string[] = [];
  readonly timers = new Map<string, number>();
  /** Index of the bar being processed (−1 before the first). */
  barIndex = -1;
  now: Millis = 0;
  private strategy: Strategy<unknown> | undefined;
  private readonly instruments = new Map<string, Instrument>();
  private readonly prices = new Map<string, number>();
  private readonly positions = new Map<string, { qty: Fixed; cost: Fixed; realized: Fixed }>();
  private readonly orders: Order[] = [];
  private cashQuote: Fixed;
  private readonly currency: string;
  private readonly buyQuantity: Fixed;
  private readonly fee: Fixed;
  private seq = 0;
  private denials: string[] = [];
  private readonly orderIdPrefix: string;
  private readonly journal: readonly Order[];

  constructor(opts: FakeContextOptions = {}) {
    this.symbols = opts.symbols ?? ['ETH/USDT'];
    this.timeframe = opts.timeframe ?? '1m';
    this.state = opts.state ?? new MemoryStateStore();
    this.orderIdPrefix = opts.orderIdPrefix ?? 'F';
    this.journal = opts.journal ?? [];
    this.fee = fromNumber(opts.fee ?? 0);
    for (const s of this.symbols) {
      const spec = opts.instruments?.find((i) => i.symbol === s) ?? { symbol: s };
      this.instruments.set(s, makeInstrument({ makerFee: opts.fee ?? 0, takerFee: opts.fee ?? 0, ...spec }));
    }
    this.currency = this.instrument(this.symbols[0] ?? '').settle;
    this.cashQuote = toFixed(opts.cash ?? 10_000);
    this.buyQuantity = toFixed(opts.buyQuantity ?? 1);
    this.clock = { now: () => this.now };
    const at = (level: string) => (msg: string) => void this.logs.push({ level, msg });
    this.log = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
    this.portfolio = {
      currency: this.currency,
      cash: () => this.cashQuote,
      available: () => this.cashQuote,
      equity: () => this.equity(),
      realizedPnl: () => [...this.positions.values()].reduce((s, p) => add(s, p.realized), ZERO),
    };
  }

  /** Binds the strategy and starts it. */
  start(strategy: Strategy<unknown>): void {
    this.strategy = strategy;
    strategy.onStart();
  }

  /**
   * Takes an order of an earlier run (another context) under this one, as the engine adopts
   * the journal's orders at a restart: an open one works against the bars from now on.
   */
  adopt(order: Order): void {
    this.orders.push(order);
  }

  /**
   * Hands the strategy an event of an order that was applied to it already, as the engine
   * hands over the events it held for a strategy that could not act yet.
   */
  handOver(order: Order, event: OrderEvent): void {
    this.owner().onOrderUpdate(order, event);
    if (event.type === 'OrderFilled') this.owner().onFill(event, order);
  }

  /** Makes the next submitted order be denied with this code. */
  denyNext(code = 'ERR_RISK_INSUFFICIENT_FUNDS'): void {
    this.denials.push(code);
  }

  /** Fills working orders against the bar, marks its close, then gives the bar to the strategy. */
  processBar(bar: Bar): void {
    this.barIndex += 1;
    this.now = bar.ts;
    for (const o of this.openOrders(bar.symbol)) {
      const limit = o.request.price === undefined ? undefined : toNumber(o.request.price);
      let px: number | undefined;
      if (o.request.type === 'MARKET') px = bar.open;
      else if (limit !== undefined && o.side === 'BUY' && bar.low <= limit) px = Math.min(limit, bar.open);
      else if (limit !== undefined && o.side === 'SELL' && bar.high >= limit) px = Math.max(limit, bar.open);
      if (px !== undefined) this.fill(o, px);
    }
    this.prices.set(bar.symbol, bar.close);
    this.owner().onBar(bar);
  }

  /** Fills the whole rest of an order at `price` (exposed for hand-made scenarios). */
  fill(order: Order, price: number): void {
    const qty = order.leavesQty;
    const px = fromNumber(price);
    const notional = mul(qty, px);
    const fee = mul(notional, this.fee);
    const pos = this.pos(order.symbol);
    if (order.side === 'BUY') {
      this.cashQuote = sub(this.cashQuote, add(notional, fee));
      pos.qty = add(pos.qty, qty);
      pos.cost = add(pos.cost, notional);
    } else {
      this.cashQuote = add(this.cashQuote, sub(notional, fee));
      const released = pos.qty === ZERO ? ZERO : mulDiv(pos.cost, qty, pos.qty);
      pos.realized = add(pos.realized, sub(notional, released));
      pos.cost = sub(pos.cost, released);
      pos.qty = sub(pos.qty, qty);
    }
    this.seq += 1;
    this.emit(order, {
      type: 'OrderFilled',
      ...this.base(order),
      tradeId: `T${this.seq}`,
      side: order.side,
      lastQty: qty,
      lastPx: px,
      fee,
      feeCurrency: this.currency,
      liquidity: order.request.type === 'MARKET' ? 'TAKER' : 'MAKER',
    });
  }

  /** Orders placed so far, as "BUY MARKET 1 @3" lines (bar index after @). */
  decisions(): string[] {
    return this.placed.map(
      (p) => `${p.side} ${p.type} ${p.quantity}${p.price === undefined ? '' : ` at ${p.price}`} @${p.bar}`,
    );
  }

  fireTimer(name: string, ts: Millis): void {
    this.now = ts;
    this.owner().onTimer(name, ts);
  }

  equity(): number {
    let e = toNumber(this.cashQuote);
    for (const [s, p] of this.positions) e += toNumber(p.qty) * (this.prices.get(s) ?? 0);
    return e;
  }

  // ---- StrategyContext ----

  instrument(symbol: string): Instrument {
    const inst = this.instruments.get(symbol);
    if (!inst) throw new Error(`unknown symbol ${symbol}`);
    return inst;
  }

  subscribeBars(symbol: string, timeframe: string): void {
    this.subscriptions.push(`${symbol}@${timeframe}`);
  }

  subscribeTrades(symbol: string): void {
    this.subscriptions.push(`${symbol}@trades`);
  }

  lastPrice(symbol: string): number | undefined {
    return this.prices.get(symbol);
  }

  position(symbol: string): PositionView {
    const p = this.pos(symbol);
    return {
      symbol,
      qty: p.qty,
      qtyNumber: toNumber(p.qty),
      avgPrice: p.qty === ZERO ? undefined : toNumber(div(p.cost, p.qty)),
      realizedPnl: p.realized,
      isFlat: p.qty === ZERO,
      isLong: p.qty > ZERO,
      isShort: p.qty < ZERO,
    };
  }

  openOrders(symbol?: string): readonly Order[] {
    return this.orders.filter((o) => o.isOpen && (symbol === undefined || o.symbol === symbol));
  }

  order(orderId: string): Order | undefined {
    const o = this.orders.find((x) => x.id === orderId) ?? this.journal.find((x) => x.id === orderId);
    return o?.strategyId === this.strategyId ? o : undefined;
  }

  submitOrder(intent: OrderIntent): Order {
    return this.place(intent.symbol, intent.side, toFixed(intent.quantity), intent);
  }

  buy(symbol: string, quantity?: Numeric, options: OrderOptions = {}): Order {
    return this.place(symbol, 'BUY', quantity === undefined ? this.buyQuantity : toFixed(quantity), options);
  }

  sell(symbol: string, quantity?: Numeric, options: OrderOptions = {}): Order {
    const held = this.pos(symbol).qty;
    return this.place(
      symbol,
      'SELL',
      quantity === undefined ? (held > ZERO ? held : ZERO) : toFixed(quantity),
      options,
    );
  }

  bracket(_intent: BracketIntent): Bracket {
    throw new Error('FakeContext: bracket is not used by these strategies');
  }

  cancel(orderId: string): void {
    const o = this.orders.find((x) => x.id === orderId);
    if (o?.isOpen) this.emit(o, { type: 'OrderCanceled', ...this.base(o), reason: 'canceled by strategy' });
  }

  cancelAll(symbol?: string): void {
    for (const o of this.openOrders(symbol)) this.cancel(o.id);
  }

  closePosition(symbol: string): Order | undefined {
    const qty = this.pos(symbol).qty;
    if (qty === ZERO) return undefined;
    return this.place(symbol, qty > ZERO ? 'SELL' : 'BUY', qty > ZERO ? qty : sub(ZERO, qty), {
      reduceOnly: true,
    });
  }

  setTimer(name: string, intervalMs: number): void {
    // As the engine's context: a strategy tested here must not pass with a timer it would refuse.
    checkTimerInterval(name, intervalMs);
    this.timers.set(name, intervalMs);
  }

  setAlarm(name: string, at: Millis): void {
    this.timers.set(name, at);
  }

  cancelTimer(name: string): void {
    this.timers.delete(name);
  }

  // ---- internals ----

  private place(symbol: string, side: OrderSide, quantity: Fixed, options: OrderOptions): Order {
    const inst = this.instrument(symbol);
    const qty = floorToStep(quantity, inst.lotSize);
    const price =
      options.price === undefined ? undefined : roundToStep(toFixed(options.price), inst.tickSize);
    const request: OrderRequest = {
      symbol,
      side,
      type: options.type ?? (price === undefined ? 'MARKET' : 'LIMIT'),
      quantity: qty,
      price,
      timeInForce: options.timeInForce ?? 'GTC',
      postOnly: options.postOnly ?? false,
      reduceOnly: options.reduceOnly ?? false,
      tag: options.tag,
    };
    this.seq += 1;
    const order = new Order(`${this.orderIdPrefix}${this.seq}`, this.strategyId, request, this.now);
    this.orders.push(order);
    this.placed.push({
      bar: this.barIndex,
      side,
      type: request.type,
      quantity: toNumber(qty),
      price: price === undefined ? undefined : toNumber(price),
      order,
    });
    order.apply({ eventId: `E${this.seq}`, type: 'OrderInitialized', ...this.base(order), request });
    const denial = this.denials.shift() ?? (qty <= ZERO ? 'ERR_RISK_QUANTITY' : undefined);
    if (denial !== undefined) {
      this.emit(order, { type: 'OrderDenied', ...this.base(order), code: denial, reason: denial });
      return order;
    }
    this.emit(order, { type: 'OrderSubmitted', ...this.base(order) });
    this.emit(order, { type: 'OrderAccepted', ...this.base(order), venueOrderId: `V${order.id}` });
    return order;
  }

  private emit(order: Order, input: OrderEventInput): void {
    this.seq += 1;
    const event = { ...input, eventId: `E${this.seq}` } as Parameters<Order['apply']>[0];
    order.apply(event);
    this.owner().onOrderUpdate(order, event);
    if (event.type === 'OrderFilled') this.owner().onFill(event, order);
  }

  private base(order: Order): { orderId: string; strategyId: string; symbol: string; ts: Millis } {
    return { orderId: order.id, strategyId: this.strategyId, symbol: order.symbol, ts: this.now };
  }

  private pos(symbol: string): { qty: Fixed; cost: Fixed; realized: Fixed } {
    let p = this.positions.get(symbol);
    if (!p) {
      p = { qty: ZERO, cost: ZERO, realized: ZERO };
      this.positions.set(symbol, p);
    }
    return p;
  }

  private owner(): Strategy<unknown> {
    if (!this.strategy) throw new Error('FakeContext: call start(strategy) first');
    return this.strategy;
  }
}

/** Bars from closes (open = high = low = close unless given as [open, high, low, close]). */
export function makeBars(
  closes: readonly (number | readonly [number, number, number, number])[],
  symbol = 'ETH/USDT',
  timeframe = '1m',
  stepMs = 60_000,
): Bar[] {
  return closes.map((c, i) => {
    const [open, high, low, close] = typeof c === 'number' ? [c, c, c, c] : c;
    return { symbol, timeframe, ts: i * stepMs, open, high, low, close, volume: 1, closed: true };
  });
}

/** Runs bars through the fake venue and strategy. */
export function feed(ctx: FakeContext, bars: readonly Bar[]): void {
  for (const b of bars) ctx.processBar(b);
}
