import type { Exchange, Trade as CcxtTrade } from 'ccxt';
import { isBinanceFamily } from './venueQuirks.js';

/**
 * The trades (with their ids) of one of our orders. ccxt's fetchOrderTrades serves Binance spot
 * only; on USDT-M the same answer comes from the account's trade list filtered by order id:
 * GET /fapi/v1/userTrades?orderId= —
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/trade/rest-api/Account-Trade-List
 */
export function fetchOrderFills(
  exchange: Exchange,
  venueOrderId: string,
  symbol: string,
): Promise<CcxtTrade[]> {
  const market = exchange.markets?.[symbol] as { contract?: boolean } | undefined;
  if (isBinanceFamily(exchange) && market?.contract === true)
    return exchange.fetchMyTrades(symbol, undefined, undefined, { orderId: venueOrderId });
  return exchange.fetchOrderTrades(venueOrderId, symbol);
}
