import type { Fixed } from '../core/Fixed.js';
import type { Millis } from '../core/time.js';
import type { Bar, Trade } from '../model/Bar.js';
import type { OrderSide } from '../model/enums.js';
import type { OrderEvent, OrderFilled } from '../model/events.js';
import type { Topic } from './MessageBus.js';
import { topic } from './MessageBus.js';

const barTopics = new Map<string, Map<string, Topic<Bar>>>();

/** Bars of one symbol and timeframe ("bars.ETH/BTC.5m"); interned, so the per-bar path builds no strings. */
export function barsTopic(symbol: string, timeframe: string): Topic<Bar> {
  let bySymbol = barTopics.get(timeframe);
  if (bySymbol === undefined) {
    bySymbol = new Map();
    barTopics.set(timeframe, bySymbol);
  }
  let t = bySymbol.get(symbol);
  if (t === undefined) {
    t = topic<Bar>(`bars.${symbol}.${timeframe}`);
    bySymbol.set(symbol, t);
  }
  return t;
}
const formingTopics = new Map<string, Topic<Bar>>();

/**
 * Updates of the bar still forming ("forming.ETH/BTC.1m"): a separate topic, so a handler
 * of closed bars never sees an unfinished one.
 */
export function formingBarsTopic(symbol: string, timeframe: string): Topic<Bar> {
  const key = `${symbol}|${timeframe}`;
  let t = formingTopics.get(key);
  if (t === undefined) {
    t = topic<Bar>(`forming.${symbol}.${timeframe}`);
    formingTopics.set(key, t);
  }
  return t;
}

/** Public trades of one symbol. */
export function tradesTopic(symbol: string): Topic<Trade> {
  return topic<Trade>(`trades.${symbol}`);
}
/** Every order event of every strategy, in the order they happened. */
export const ORDER_EVENTS: Topic<OrderEvent> = topic<OrderEvent>('events.order');
/**
 * A liquidation's fill line (order id `LIQUIDATION`): the venue closed a position with no
 * order of ours. Not an order event — the OMS has no such order to track or reconcile — but
 * what listens to fills for the account (fill list, push, breakers, fill counts) hears it too.
 * A liquidation the venue filled in several trades is several lines, one message each: what
 * counts or tells liquidations listens to LIQUIDATIONS instead.
 */
export const LIQUIDATION_FILLS: Topic<OrderFilled> = topic<OrderFilled>('events.liquidation-fill');

/** Why the venue closed the position: a liquidation, or the exchange's auto-deleveraging. */
export type ForcedCloseCause = 'liquidation' | 'adl';

/** Fees of a liquidation's lines in one currency. */
export interface LiquidationFee {
  readonly currency: string;
  readonly amount: Fixed;
}

/**
 * One liquidation (or auto-deleveraging) as booked: every fill line of it that one booking
 * wrote (LiquidationBooking), summed. Published once per booking, right after its lines went
 * out on LIQUIDATION_FILLS.
 */
export interface LiquidationBooked {
  readonly type: 'LiquidationBooked';
  readonly cause: ForcedCloseCause;
  /** 'shadow', or the exchange's id. */
  readonly venue: string;
  readonly symbol: string;
  /** The strategy the lines are credited to (whose fill last moved the position). */
  readonly strategyId: string;
  /** The closing side (SELL closed a long). */
  readonly side: OrderSide;
  /** Time of the last line. */
  readonly ts: Millis;
  /** Signed position before the booking. */
  readonly positionQty: Fixed;
  /** Quantity closed: the lines' quantities summed. */
  readonly qty: Fixed;
  /** Volume-weighted average price of the lines. */
  readonly avgPx: Fixed;
  /** The lines' fees summed per currency, in the order the currencies first appear. */
  readonly fees: readonly LiquidationFee[];
  /**
   * The part of `fees` the exchange charged apart from the trades as the liquidation's
   * clearance fee (Binance: income INSURANCE_CLEAR, added to the last line's fee); absent when
   * none was (shadow mode's clearance fee is the lines' own fee).
   */
  readonly clearanceFee?: LiquidationFee;
  /** Realized PnL of the close as the venue reported it (before fees). */
  readonly realizedPnl: Fixed;
  /** The fill lines booked (their trade ids name the venue's trades), oldest first. */
  readonly lines: readonly OrderFilled[];
  /** The exchange's closing order, when there is one (live). */
  readonly venueOrderId?: string;
  /**
   * More trades of a closing order some of whose trades were booked before (the exchange was
   * still filling it at the previous look, or the engine restarted in between): the same
   * liquidation, already counted and told; these are the rest of it.
   */
  readonly continued: boolean;
}

/**
 * Liquidations and auto-deleveragings, one message per booking however many fill lines it
 * wrote: what counts liquidations (`trading_liquidations_total`) and tells them (the critical
 * LIQUIDATION / ADL notification) listens here.
 */
export const LIQUIDATIONS: Topic<LiquidationBooked> = topic<LiquidationBooked>('events.liquidation');
