import type { Exchange } from 'ccxt';
import type { Millis } from '../../core/time.js';

/**
 * The next funding time of `symbol` as the exchange announces it, or undefined when it does
 * not (no `fetchFundingRate`, or no time in the answer). ccxt puts the announced time in
 * `fundingTimestamp` (Binance's `nextFundingTime`); some exchanges fill `nextFundingTimestamp`.
 * Binance USDT-M: GET /fapi/v1/premiumIndex —
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Mark-Price
 */
export async function fetchNextFundingTime(exchange: Exchange, symbol: string): Promise<Millis | undefined> {
  if (exchange.has['fetchFundingRate'] !== true) return undefined;
  const r = await exchange.fetchFundingRate(symbol);
  const t = r.fundingTimestamp ?? r.nextFundingTimestamp;
  return typeof t === 'number' && Number.isFinite(t) && t > 0 ? t : undefined;
}
