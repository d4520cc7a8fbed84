import type { Exchange } from 'ccxt';
import type { MarketDataListener } from '../../data/MarketDataFeed.js';
import type { Backoff } from '../Backoff.js';
import type { FeedLogger } from '../FeedLogger.js';

/**
 * What the parts of a CcxtMarketDataFeed (its stream loops, each symbol's trades, the bar
 * checks) share of it: the exchange, where to log and deliver, and its lifecycle.
 */
export interface FeedContext {
  readonly exchange: Exchange;
  /** The feed's name, for logs. */
  readonly feed: string;
  readonly log: FeedLogger;
  readonly listener: MarketDataListener;
  /** Calls the listener; a listener that throws is reported, never allowed to kill a stream. */
  emit(call: () => void): void;
  /** True once the feed is stopping: loops end, nothing more is delivered. */
  stopped(): boolean;
  /** Waits on the feed's clock; wakes at once when the feed stops. */
  sleep(ms: number): Promise<void>;
  /** A new backoff, each with its own jitter seed. */
  backoff(): Backoff;
}
