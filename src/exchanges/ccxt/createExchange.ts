import ccxt from 'ccxt';
import type { Exchange } from 'ccxt';
import { QtsError } from '../../core/QtsError.js';
import { ExchangeErrorCode } from '../ExchangeErrorCode.js';

/** How to build a ccxt exchange for market data. */
export interface CreateExchangeOptions {
  /** ccxt id: "binance", "kraken", … */
  readonly id: string;
  /**
   * WebSocket (ccxt.pro) class when true. An exchange without one in ccxt.pro falls back to
   * its REST class; the feed then polls (it reads `exchange.has`).
   */
  readonly pro?: boolean;
  /** Point at the exchange's public testnet (`setSandboxMode`). */
  readonly sandbox?: boolean;
  /** Request timeout in ms (ccxt default 10 000). */
  readonly timeoutMs?: number;
  /** Extra ccxt `options` (e.g. `{ defaultType: 'swap' }`). */
  readonly options?: Readonly<Record<string, unknown>>;
}

/**
 * A ccxt exchange instance for public market data: rate limiter on (ccxt queues requests
 * under the exchange's published weights, so a long download or a burst of backfills
 * never earns a ban), and no credentials at all — market data needs none, and an instance
 * that holds no keys cannot place an order by mistake (shadow mode relies on that).
 *
 * Throws ERR_EXCHANGE_UNKNOWN for an id ccxt does not know, ERR_EXCHANGE_NO_SANDBOX when a
 * sandbox is asked of an exchange without one.
 */
export function createExchange(opts: CreateExchangeOptions): Exchange {
  const id = opts.id.toLowerCase();
  const restClasses = ccxt as unknown as Record<string, unknown>;
  const proClasses = ccxt.pro as unknown as Record<string, unknown>;
  if (!ccxt.exchanges.includes(id) || typeof restClasses[id] !== 'function') {
    throw new QtsError(
      ExchangeErrorCode.Unknown,
      `unknown exchange "${opts.id}" (not in ccxt ${ccxt.version})`,
      {
        exchange: opts.id,
      },
    );
  }
  const Klass = (
    opts.pro === true && typeof proClasses[id] === 'function' ? proClasses[id] : restClasses[id]
  ) as new (config: Record<string, unknown>) => Exchange;
  const exchange = new Klass({
    enableRateLimit: true,
    ...(opts.timeoutMs !== undefined ? { timeout: opts.timeoutMs } : {}),
    // ccxt.pro keeps the last `tradesLimit` trades per symbol between two reads of a
    // stream; 1000 (its default) is a few seconds of a busy market during a slow moment.
    options: { tradesLimit: 10_000, ...opts.options },
  });
  if (opts.sandbox === true) {
    try {
      exchange.setSandboxMode(true);
    } catch (e) {
      throw new QtsError(ExchangeErrorCode.NoSandbox, `${id} has no sandbox: ${(e as Error).message}`, {
        exchange: id,
      });
    }
  }
  return exchange;
}

/** True when `exchange` is a ccxt.pro (WebSocket) instance. */
export function isProExchange(exchange: Exchange): boolean {
  return exchange.has['ws'] === true;
}
