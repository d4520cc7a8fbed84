import type { Bar, Trade } from '../model/Bar.js';
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
 * what listens to fills for the account (fill list, push, breakers) hears it too.
 */
export const LIQUIDATION_FILLS: Topic<OrderFilled> = topic<OrderFilled>('events.liquidation-fill');
