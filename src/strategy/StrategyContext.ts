import type { Fixed, Numeric } from '../core/Fixed.js';
import type { Millis } from '../core/time.js';
import type { Instrument } from '../model/Instrument.js';
import type { OrderView } from '../model/OrderView.js';
import type { AmendOutcome } from '../model/OrderAmend.js';
import type { OrderSide, OrderType, TimeInForce } from '../model/enums.js';

/** Options of an order a strategy asks for; amounts accept numbers, decimal strings or Fixed. */
export interface OrderOptions {
  type?: OrderType;
  price?: Numeric;
  triggerPrice?: Numeric;
  trailingPct?: Numeric;
  timeInForce?: TimeInForce;
  postOnly?: boolean;
  reduceOnly?: boolean;
  ocoGroup?: string;
  parentId?: string;
  tag?: string;
}

/** New terms for a resting order; what is not given stays. Amounts as numbers, decimal strings or Fixed. */
export interface AmendChange {
  price?: Numeric;
  quantity?: Numeric;
}

/** A full order intent: symbol, side and quantity plus options. */
export interface OrderIntent extends OrderOptions {
  symbol: string;
  side: OrderSide;
  quantity: Numeric;
}

/** Entry plus protective orders; stop-loss and take-profit cancel each other. */
export interface BracketIntent {
  symbol: string;
  side: OrderSide;
  quantity?: Numeric;
  /** Limit entry price; market entry when omitted. */
  entryPrice?: Numeric;
  stopLoss: Numeric;
  takeProfit: Numeric;
  tag?: string;
}

export interface Bracket {
  readonly entry: OrderView;
  readonly stopLoss: OrderView;
  readonly takeProfit: OrderView;
}

/** A strategy's view of one position (exact amounts plus float conveniences for signals). */
export interface PositionView {
  readonly symbol: string;
  readonly qty: Fixed;
  readonly qtyNumber: number;
  /** Average entry price of what is held, or undefined when flat. */
  readonly avgPrice: number | undefined;
  readonly realizedPnl: Fixed;
  /**
   * No position, or only dust no order can trade: below one lot (e.g. left by fees taken in
   * the coin bought), or a long too small to sell once a sell's fee in the base coin is kept
   * back (see sellableWithFee).
   */
  readonly isFlat: boolean;
  /** Long (short) by at least one lot. */
  readonly isLong: boolean;
  readonly isShort: boolean;
}

/** Read-only account figures. */
export interface PortfolioView {
  readonly currency: string;
  cash(currency?: string): Fixed;
  /**
   * Cash not reserved by open orders: the account's open spot buys (every strategy's) held back
   * at their limit or trigger price, or the last price for a market buy, plus their fee, as the
   * risk engine's funds check counts them; never below zero. Bracket/OCO exits hold nothing,
   * perpetual orders hold margin (not counted here). Walks the open orders: ask when sizing.
   */
  available(currency?: string): Fixed;
  /** Equity at the last prices, as a float (for sizing and signals). */
  equity(): number;
  realizedPnl(): Fixed;
}

/**
 * JSON-serializable state a strategy keeps across restarts (persisted by the runtime). What
 * `get` returns is a copy, as JSON keeps it; `set` throws ERR_STATE_NOT_JSON for a value JSON
 * would change or drop (a Map or Set, NaN or ±Infinity, a BigInt, a function).
 */
export interface StrategyStateStore {
  get<T>(key: string): T | undefined;
  set(key: string, value: unknown): void;
  delete(key: string): void;
}

/** Structured logger handed to strategies (no console, no files of their own). */
export interface StrategyLogger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
}

/**
 * Everything a strategy may do or know. It is the same object shape in backtest, shadow
 * and live; what sits behind it (simulated venue or exchange, test or wall clock) is the
 * composition root's business, never the strategy's.
 *
 * Orders come back as OrderView: the order's live state, read-only (a write does not compile,
 * and throws at run time in a JavaScript strategy), so a strategy cannot change what the OMS
 * holds; the same order is always the same view. Change an order through `amend` and `cancel`.
 */
export interface StrategyContext {
  readonly strategyId: string;
  /** Symbols this strategy instance was configured to trade. */
  readonly symbols: readonly string[];
  /** Its primary timeframe ("5m", "1d", …). */
  readonly timeframe: string;
  readonly clock: { now(): Millis };
  readonly log: StrategyLogger;
  readonly state: StrategyStateStore;
  readonly portfolio: PortfolioView;
  /**
   * True while the strategy is warmed up on recent history at the start of shadow or live
   * trading (bars that closed before the engine started), false on live bars and always in
   * backtests. Meanwhile every order verb answers with an order DENIED `ERR_WARMING_UP` that
   * never reaches the venue or the journal (cancel does nothing, amend is REJECTED), state
   * writes are not persisted, and timers/alarms are armed only when warm-up ends. Events of its
   * orders arriving meanwhile are booked at once and handed to it after warm-up (onOrderUpdate).
   */
  readonly isWarmingUp: boolean;

  instrument(symbol: string): Instrument;
  /** Receive closed bars of symbol at timeframe (higher timeframes are built from the base bars). */
  subscribeBars(symbol: string, timeframe: string): void;
  /** Receive public trades of symbol (where the feed has them). */
  subscribeTrades(symbol: string): void;
  /** Last known price (close of the last bar or last trade). */
  lastPrice(symbol: string): number | undefined;
  /**
   * Perpetuals: the mark price margin and unrealized PnL are valued at (the venue's mark
   * series where one is known, else the last price); undefined before any price. Optional
   * only so test doubles of the context need not implement it: the engine's context always
   * does (call it as `ctx.markPrice?.(symbol)`).
   */
  markPrice?(symbol: string): number | undefined;
  /**
   * Perpetuals: the last settled funding rate (0.0001 = 0.01 % per interval); undefined
   * before the first settlement. Always implemented by the engine's context, as markPrice.
   */
  fundingRate?(symbol: string): number | undefined;
  position(symbol: string): PositionView;
  /** Orders not yet terminal, optionally of one symbol. */
  openOrders(symbol?: string): readonly OrderView[];
  /**
   * One of this strategy's own orders by id, open or closed (its final state: fills, fees,
   * how it ended); undefined for an unknown id or another strategy's order. The engine's
   * memory answers first; in shadow and live an order it no longer holds (closed in an
   * earlier run, or long ago) is read from the order journal — a database read, so call it
   * when needed (e.g. at onStart for saved ids), not on every bar. Backtests have no journal:
   * only the recently closed orders kept in memory are found. Works the same while warming up.
   */
  order(orderId: string): OrderView | undefined;

  /** Submits an order through risk and the OMS; a denied order comes back with status DENIED. */
  submitOrder(intent: OrderIntent): OrderView;
  /**
   * Buys `quantity` (floored to the lot), or what the configured sizer gives when omitted. A
   * quantity of zero or below is an order DENIED `ERR_RISK_QUANTITY`, never a sell.
   */
  buy(symbol: string, quantity?: Numeric, options?: OrderOptions): OrderView;
  /**
   * Sells `quantity` (floored to the lot), or the whole long position when omitted: where the
   * venue takes the sell's fee in the base coin, what leaves the fee's coins held (see
   * sellableWithFee). A quantity of zero or below is an order DENIED `ERR_RISK_QUANTITY`.
   */
  sell(symbol: string, quantity?: Numeric, options?: OrderOptions): OrderView;
  /** Entry with stop-loss and take-profit attached (OCO between the two exits). */
  bracket(intent: BracketIntent): Bracket;
  cancel(orderId: string): void;
  /**
   * Changes a resting order of this strategy (ACCEPTED or PARTIALLY_FILLED): a new limit
   * price and/or a lower total quantity (fills included, above what filled). Risk judges the
   * new terms like a new order; the order keeps its terms until the venue confirms
   * (onOrderUpdate gets OrderAmended, or OrderAmendRejected with a code). Never throws: a
   * refused amend comes back as REJECTED with its code. Always implemented by the engine's
   * context (optional only for hand-made test contexts).
   */
  amend?(orderId: string, change: AmendChange): AmendOutcome;
  cancelAll(symbol?: string): void;
  /**
   * Market order that flattens the position; undefined when already flat. A long whose
   * sell pays its fee in the base coin sells what leaves the fee's coins held (see
   * sellableWithFee); the rest stays as dust.
   */
  closePosition(symbol: string): OrderView | undefined;
  /**
   * Repeating timer delivered to onTimer, first at now + intervalMs; the same name replaces it.
   * A backtest fires the timers due up to a bar's close before that bar (as live, where the bar
   * arrives just after its close), each seeing the same prices. An interval that is not a
   * finite number of ms of at least MIN_TIMER_INTERVAL_MS (1 s) throws ERR_TIMER_INTERVAL.
   */
  setTimer(name: string, intervalMs: number): void;
  /** One-shot alarm delivered to onTimer (a time already past fires at the clock's next step); a NaN time throws ERR_TIMER_TIME. */
  setAlarm(name: string, at: Millis): void;
  cancelTimer(name: string): void;
}
