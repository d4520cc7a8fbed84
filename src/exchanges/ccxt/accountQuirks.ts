import type { Balances, Exchange } from 'ccxt';
import type { Fixed } from '../../core/Fixed.js';
import { exact } from './executionMappers.js';
import { isBinanceFamily } from './venueQuirks.js';

/**
 * Wallet balances of a futures account: realized PnL, fees and funding settled, no unrealized
 * PnL. ccxt's unified `total` of a Binance USDT-M account is the margin balance (wallet +
 * unrealized PnL of every position), which would make every open position look like a cash
 * difference; Binance reports the wallet per asset in `assets[].walletBalance` of
 * GET /fapi/v3/account (and `balance` in GET /fapi/v2/balance):
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/account/rest-api/Account-Information-V3
 * Other exchanges: ccxt's `total` as it comes (empty map here), until each is verified.
 */
export function walletBalances(exchange: Exchange, balance: Balances): Map<string, Fixed> {
  const out = new Map<string, Fixed>();
  if (!isBinanceFamily(exchange)) return out;
  const info = balance.info as unknown;
  const rows: unknown[] = Array.isArray(info)
    ? info
    : typeof info === 'object' && info !== null && Array.isArray((info as { assets?: unknown }).assets)
      ? (info as { assets: unknown[] }).assets
      : [];
  for (const row of rows) {
    if (typeof row !== 'object' || row === null) continue;
    const r = row as Record<string, unknown>;
    const asset = r['asset'];
    const wallet = r['walletBalance'] ?? r['balance'];
    if (typeof asset === 'string' && (typeof wallet === 'string' || typeof wallet === 'number'))
      out.set(asset, exact(wallet));
  }
  return out;
}
