/** The error codes of the exchange adapters, carried by QtsError so callers branch on them. */
export const ExchangeErrorCode = {
  /** No exchange of that id in ccxt. */
  Unknown: 'ERR_EXCHANGE_UNKNOWN',
  /** The exchange has no sandbox (testnet) URL. */
  NoSandbox: 'ERR_EXCHANGE_NO_SANDBOX',
  /** The exchange cannot serve what was asked (no OHLCV history, no trades…). */
  NotSupported: 'ERR_EXCHANGE_NOT_SUPPORTED',
  /** A symbol is not listed on the exchange. */
  BadSymbol: 'ERR_EXCHANGE_BAD_SYMBOL',
  /** A request failed after its retries (network, 5xx, rate limit). */
  Request: 'ERR_EXCHANGE_REQUEST',
} as const;
/** One of the ExchangeErrorCode values. */
export type ExchangeErrorCode = (typeof ExchangeErrorCode)[keyof typeof ExchangeErrorCode];
