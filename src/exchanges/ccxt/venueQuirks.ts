import type { Exchange } from 'ccxt';

// Per-exchange differences the unified ccxt API does not hide, in one place.

const BINANCE_FAMILY = new Set(['binance', 'binanceus', 'binanceusdm', 'binancecoinm']);

/** Binance and its regional/futures twins: consecutive trade ids, the same REST trade endpoints. */
export function isBinanceFamily(exchange: Exchange): boolean {
  return BINANCE_FAMILY.has(exchange.id);
}

/**
 * Params for `watchTicker`. ccxt 4.5's binance subscribes to the mini ticker by default,
 * which carries no best bid/ask; the full 24h ticker stream does:
 * https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams#individual-symbol-ticker-streams
 */
export function watchTickerParams(exchange: Exchange): Record<string, unknown> {
  return isBinanceFamily(exchange) ? { name: 'ticker' } : {};
}
