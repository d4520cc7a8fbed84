import {
  AuthenticationError,
  DDoSProtection,
  ExchangeError,
  ExchangeNotAvailable,
  NetworkError,
  RateLimitExceeded,
  RequestTimeout,
} from 'ccxt';

/** Why a request to an exchange failed, as a short stable label (metrics, alerts). */
export const RequestProblemReason = {
  RateLimit: 'rate_limit',
  DdosProtection: 'ddos_protection',
  Timeout: 'timeout',
  Unavailable: 'unavailable',
  Network: 'network',
  Auth: 'auth',
  Exchange: 'exchange',
  Other: 'other',
} as const;
export type RequestProblemReason = (typeof RequestProblemReason)[keyof typeof RequestProblemReason];

/**
 * One failed exchange request and the wait before the retry. `rateLimited` is true when the
 * venue pushed back (429/418, DDoS protection): that wait is the venue throttling us, and a
 * rising count means our request budget is too tight for the streams we open.
 */
export interface ExchangeRequestProblem {
  readonly exchange: string;
  readonly reason: RequestProblemReason;
  readonly rateLimited: boolean;
  readonly retryInMs: number;
}

/** Told of every failed request of a feed (optional hook of CcxtMarketDataFeed). */
export type RequestProblemHook = (problem: ExchangeRequestProblem) => void;

/** Classifies a ccxt error; subclasses are tested before the classes they extend. */
export function requestProblemReason(e: unknown): RequestProblemReason {
  if (e instanceof RateLimitExceeded) return RequestProblemReason.RateLimit;
  if (e instanceof DDoSProtection) return RequestProblemReason.DdosProtection;
  if (e instanceof RequestTimeout) return RequestProblemReason.Timeout;
  if (e instanceof ExchangeNotAvailable) return RequestProblemReason.Unavailable;
  if (e instanceof NetworkError) return RequestProblemReason.Network;
  if (e instanceof AuthenticationError) return RequestProblemReason.Auth;
  if (e instanceof ExchangeError) return RequestProblemReason.Exchange;
  return RequestProblemReason.Other;
}

/** The problem record for a failed request of `exchange` retried after `retryInMs`. */
export function requestProblem(exchange: string, e: unknown, retryInMs: number): ExchangeRequestProblem {
  const reason = requestProblemReason(e);
  return {
    exchange,
    reason,
    rateLimited: reason === RequestProblemReason.RateLimit || reason === RequestProblemReason.DdosProtection,
    retryInMs,
  };
}
