import type { Bar, Trade } from '../model/Bar.js';
import type { OrderEvent } from '../model/events.js';
import type { Topic } from './MessageBus.js';
import { topic } from './MessageBus.js';

/** Bars of one symbol and timeframe ("bars.ETH/BTC.5m"). */
export function barsTopic(symbol: string, timeframe: string): Topic<Bar> {
  return topic<Bar>(`bars.${symbol}.${timeframe}`);
}
/** Public trades of one symbol. */
export function tradesTopic(symbol: string): Topic<Trade> {
  return topic<Trade>(`trades.${symbol}`);
}
/** Every order event of every strategy, in the order they happened. */
export const ORDER_EVENTS: Topic<OrderEvent> = topic<OrderEvent>('events.order');
