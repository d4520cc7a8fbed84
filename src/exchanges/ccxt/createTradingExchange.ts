import type { Exchange } from 'ccxt';
import { QtsError } from '../../core/QtsError.js';
import { createExchange } from './createExchange.js';
import type { ExecutionCapabilities } from './executionCapabilities.js';
import { capabilitiesOf } from './executionCapabilities.js';

/** The account's keys as ccxt takes them (decrypted by src/security, never stored here). */
export interface TradingKeys {
  readonly apiKey: string;
  readonly secret: string;
  readonly password?: string | undefined;
  readonly uid?: string | undefined;
}

/** How to build the trading instance. */
export interface TradingExchangeOptions {
  readonly id: string;
  readonly keys: TradingKeys;
  readonly sandbox: boolean;
  /** Our client order id prefix; also set as ccxt's broker id so ccxt never replaces our ids. */
  readonly clientIdPrefix: string;
  readonly timeoutMs?: number;
  /** Extra ccxt options (e.g. `{ defaultType: 'swap' }` for USDT-M perpetuals). */
  readonly options?: Readonly<Record<string, unknown>>;
}

/**
 * The ccxt instance that trades: a ccxt.pro class (private streams) with the account's keys,
 * ccxt's weight-based rate limiter on, and the broker prefix replaced by ours. It is built
 * apart from the market-data instance, so the keys live in exactly one object.
 * Throws ERR_EXCHANGE_NOT_SUPPORTED for an exchange outside the capability map.
 */
export function createTradingExchange(opts: TradingExchangeOptions): {
  exchange: Exchange;
  capabilities: ExecutionCapabilities;
} {
  const capabilities = capabilitiesOf(opts.id);
  if (capabilities === undefined)
    throw new QtsError(
      'ERR_EXCHANGE_NOT_SUPPORTED',
      `live trading does not support exchange "${opts.id}" (supported: binance, binanceusdm, okx, bybit, gate, bitget, kucoin, kraken, deribit)`,
    );
  const exchange = createExchange({
    id: opts.id,
    pro: true,
    sandbox: opts.sandbox,
    ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
    options: { ...capabilities.brokerOptions(opts.clientIdPrefix), ...opts.options },
  });
  exchange.apiKey = opts.keys.apiKey;
  exchange.secret = opts.keys.secret;
  if (opts.keys.password !== undefined) exchange.password = opts.keys.password;
  if (opts.keys.uid !== undefined) exchange.uid = opts.keys.uid;
  return { exchange, capabilities };
}
