/** HTTP status of each error code the API answers with; any other coded error is 422. */
const STATUS: Readonly<Record<string, number>> = {
  ERR_BAD_REQUEST: 400,
  ERR_INVALID_PARAMS: 400,
  ERR_INVALID_DECIMAL: 400,
  ERR_AMEND_INVALID: 400,
  ERR_AMEND_QUANTITY: 400,
  ERR_AMEND_BELOW_FILLED: 400,
  ERR_UNAUTHORIZED: 401,
  ERR_FORBIDDEN: 403,
  ERR_NOT_FOUND: 404,
  ERR_ORDER_NOT_FOUND: 404,
  ERR_STRATEGY_NOT_FOUND: 404,
  ERR_UNKNOWN_SYMBOL: 404,
  ERR_BACKTEST_NOT_FOUND: 404,
  ERR_LOGIN_DISABLED: 404,
  ERR_API_READ_ONLY: 409,
  ERR_ORDER_NOT_OPEN: 409,
  ERR_AMEND_NOT_OPEN: 409,
  ERR_AMEND_PENDING: 409,
  ERR_CANCEL_PENDING: 409,
  ERR_NO_POSITION: 409,
  ERR_RATE_LIMITED: 429,
  ERR_BACKTEST_BUSY: 429,
  ERR_SHUTTING_DOWN: 503,
};

/**
 * The status of a coded error: client mistakes are 4xx with the code, so a caller can
 * branch on it; a refusal by the engine itself (unknown strategy id in a backtest, no data)
 * is 422 — the request was well formed, the engine cannot do it.
 */
export function statusForCode(code: string): number {
  return STATUS[code] ?? 422;
}
