import ccxt from 'ccxt';

/**
 * What a failed exchange call means for the order it concerned:
 * - `rejected`: the exchange answered and refused (bad params, funds, auth): it holds no order.
 * - `unknown`: no trustworthy answer (timeout, 5xx, dropped connection, a duplicate-id refusal):
 *   the order may or may not exist; it must be resolved by asking for its client order id.
 * - `not-found`: the exchange definitively says it has no such order.
 * - `rate-limited` / `banned`: the exchange told us to slow down (429) or banned us (418);
 *   nothing may be sent until `retryAfterMs` has passed. For a submit this is also `unknown`
 *   in outcome terms only if the request could have been processed — Binance refuses a 429
 *   before matching, so the order was not placed.
 */
export const ErrorKind = {
  REJECTED: 'rejected',
  UNKNOWN: 'unknown',
  NOT_FOUND: 'not-found',
  RATE_LIMITED: 'rate-limited',
  BANNED: 'banned',
} as const;
export type ErrorKind = (typeof ErrorKind)[keyof typeof ErrorKind];

/** A classified failure. */
export interface ClassifiedError {
  readonly kind: ErrorKind;
  /** Our code for it, e.g. ERR_EXCHANGE_REJECTED. */
  readonly code: string;
  readonly message: string;
  /** For rate-limited/banned: how long to send nothing (ms). */
  readonly retryAfterMs?: number;
}

/** Backoff when a 429 carries no Retry-After (Binance always sends one). */
export const DEFAULT_RATE_LIMIT_BACKOFF_MS = 1_000;
/** Backoff when a 418 names no end: Binance bans start at 2 minutes. */
export const DEFAULT_BAN_BACKOFF_MS = 120_000;

/**
 * How long a response tells us to wait: the `Retry-After` header (seconds, or an HTTP date),
 * or Binance's "IP banned until <epoch ms>" in the message.
 */
export function retryAfterMs(
  headers: Readonly<Record<string, unknown>> | undefined,
  message: string,
  now: number,
): number | undefined {
  const raw = headerValue(headers, 'retry-after');
  if (raw !== undefined) {
    const secs = Number(raw);
    if (Number.isFinite(secs) && secs >= 0) return Math.ceil(secs * 1000);
    const at = Date.parse(raw);
    if (Number.isFinite(at)) return Math.max(0, at - now);
  }
  const until = /banned until (\d{12,14})/i.exec(message);
  if (until?.[1] !== undefined) {
    const ms = Number(until[1]) - now;
    if (ms > 0) return ms;
  }
  return undefined;
}

function headerValue(
  headers: Readonly<Record<string, unknown>> | undefined,
  name: string,
): string | undefined {
  if (headers === undefined) return undefined;
  for (const [k, v] of Object.entries(headers))
    if (k.toLowerCase() === name && (typeof v === 'string' || typeof v === 'number')) return String(v);
  return undefined;
}

/**
 * Sorts a ccxt (or network) error into what the OMS may conclude from it. The order of the
 * checks matters: ccxt's class tree puts DDoSProtection under NetworkError and OrderNotFound
 * under InvalidOrder, so the narrow classes are asked first. Anything not recognised is
 * `unknown`: treating a surprise as "not placed" could double an order, treating it as
 * "maybe placed" only costs a lookup.
 */
export function classifyExchangeError(
  err: unknown,
  headers: Readonly<Record<string, unknown>> | undefined,
  now: number,
): ClassifiedError {
  const message = err instanceof Error ? err.message : String(err);
  const status = httpStatus(message);
  if (
    err instanceof ccxt.DDoSProtection ||
    err instanceof ccxt.RateLimitExceeded ||
    status === 418 ||
    status === 429
  ) {
    const banned = status === 418 || /banned/i.test(message);
    const wait =
      retryAfterMs(headers, message, now) ??
      (banned ? DEFAULT_BAN_BACKOFF_MS : DEFAULT_RATE_LIMIT_BACKOFF_MS);
    return banned
      ? { kind: 'banned', code: 'ERR_EXCHANGE_BANNED', message, retryAfterMs: wait }
      : { kind: 'rate-limited', code: 'ERR_EXCHANGE_RATE_LIMIT', message, retryAfterMs: wait };
  }
  if (err instanceof ccxt.OrderNotFound)
    return { kind: 'not-found', code: 'ERR_EXCHANGE_ORDER_NOT_FOUND', message };
  // Binance answers -2010 "Duplicate order sent." when the client id is taken: our previous
  // attempt got through, so the order exists and must be looked up, not refused.
  if (err instanceof ccxt.DuplicateOrderId || /duplicate order/i.test(message))
    return { kind: 'unknown', code: 'ERR_EXCHANGE_DUPLICATE_ID', message };
  if (err instanceof ccxt.NetworkError || (status !== undefined && status >= 500))
    return { kind: 'unknown', code: 'ERR_EXCHANGE_UNKNOWN_OUTCOME', message };
  if (
    err instanceof ccxt.InvalidOrder ||
    err instanceof ccxt.InsufficientFunds ||
    err instanceof ccxt.BadRequest ||
    err instanceof ccxt.BadSymbol ||
    err instanceof ccxt.AuthenticationError ||
    err instanceof ccxt.PermissionDenied ||
    err instanceof ccxt.AccountSuspended ||
    err instanceof ccxt.NotSupported ||
    err instanceof ccxt.OperationRejected
  )
    return { kind: 'rejected', code: 'ERR_EXCHANGE_REJECTED', message };
  return { kind: 'unknown', code: 'ERR_EXCHANGE_UNKNOWN_OUTCOME', message };
}

/** ccxt writes "<id> <status> <text> <body>" for HTTP errors it could not map. */
function httpStatus(message: string): number | undefined {
  const m = /^\S+ (\d{3})\b/.exec(message);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}
