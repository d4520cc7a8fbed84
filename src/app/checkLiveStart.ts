import type { AppConfig } from '../config/configSchema.js';
import { QtsError } from '../core/QtsError.js';
import { capabilitiesOf } from '../exchanges/ccxt/executionCapabilities.js';

/**
 * The conditions under which live mode may start, besides keys that decrypt (checked first,
 * by loadExchangeCredentials): an exchange live trading supports, an API that asks who is
 * calling (a live engine's kill switch and cancel routes must not be open to anyone), and an
 * explicit confirmation that real money is meant (`qts live --confirm-live` or LIVE_TRADING_CONFIRM=yes). Each refusal
 * says what to set.
 */
export function checkLiveStart(config: AppConfig): void {
  if (capabilitiesOf(config.exchange.id) === undefined)
    throw new QtsError(
      'ERR_EXCHANGE_NOT_SUPPORTED',
      `live trading does not support exchange "${config.exchange.id}" (see docs/live-trading.md for the list)`,
    );
  if (config.api.tokens.length === 0)
    throw new QtsError(
      'ERR_LIVE_API_AUTH_MISSING',
      'live mode needs API authentication: set API_TOKENS=name:role:token (at least one token) so the engine API is not open to anyone',
    );
  if (!config.live.confirmed)
    throw new QtsError(
      'ERR_LIVE_NOT_CONFIRMED',
      `live mode trades real money on ${config.exchange.id}${config.exchange.sandbox ? ' (testnet)' : ''}: confirm with --confirm-live (qts live) or LIVE_TRADING_CONFIRM=yes`,
    );
}
