import type { Millis } from '../core/time.js';
import { isQtsError, QtsError } from '../core/QtsError.js';
import { StorageErrorCode } from '../storage/StorageErrorCode.js';

/** The code of an exception a strategy's handler let escape. */
export const ERR_STRATEGY_FAILED = 'ERR_STRATEGY_FAILED';

/** The handlers of a Strategy the engine calls. */
export type StrategyHook =
  | 'onStart'
  | 'onStop'
  | 'onBar'
  | 'onBarUpdate'
  | 'onTrade'
  | 'onOrderUpdate'
  | 'onFill'
  | 'onTimer'
  | 'onFunding'
  | 'onLiquidation'
  | 'onDataStatus';

/** ISO text of an event time; a time that is not one (NaN from a broken feed) is said as it is. */
function isoOrRaw(ts: Millis): string {
  return Number.isFinite(ts) ? new Date(ts).toISOString() : String(ts);
}

/** What the engine was doing in a strategy's call, for a log line: "onBar of strategy my-1 (BTC/USDT …)". */
export function strategyCall(
  strategyId: string,
  hook: StrategyHook,
  symbol: string | undefined,
  ts: Millis,
): string {
  const at = isoOrRaw(ts);
  return `${hook} of strategy ${strategyId} (${symbol === undefined ? at : `${symbol} ${at}`})`;
}

/** An exception a strategy's handler let escape, named (see `strategyFailed`). */
export class StrategyFailedError extends QtsError {}

/**
 * The error an exception thrown by a strategy's handler becomes: it names the strategy, the
 * handler, the symbol and the time of the bar or event it was handling, so the author can
 * replay that moment; the original stays as `cause` (its stack points at the strategy's line).
 * A plain exception (a bug) gets the code ERR_STRATEGY_FAILED; a coded one keeps its code, so
 * a strategy refusing its parameters at start is still ERR_INVALID_PARAMS to the API and CLI.
 * Built only when a handler threw, so the call sites pay a try/catch and nothing per bar.
 *
 * An error already named passes unchanged: a fill delivered while the strategy's own onBar was
 * sending the order failed in onFill, and that is the one to name.
 */
export function strategyFailed(
  strategyId: string,
  hook: StrategyHook,
  symbol: string | undefined,
  ts: Millis,
  err: unknown,
): QtsError {
  if (err instanceof StrategyFailedError) return err;
  const at = isoOrRaw(ts);
  const where = symbol === undefined ? at : `${symbol} ${at}`;
  const e = new StrategyFailedError(
    isQtsError(err) ? err.code : ERR_STRATEGY_FAILED,
    `strategy ${strategyId} failed in ${hook} (${where}): ${err instanceof Error ? err.message : String(err)}`,
    {
      ...(isQtsError(err) ? err.details : {}),
      strategyId,
      hook,
      ...(symbol === undefined ? {} : { symbol }),
      at,
    },
  );
  e.cause = err;
  return e;
}

/** The code of an order verb a quarantined strategy calls (see `StrategyFailure`). */
export const ERR_STRATEGY_QUARANTINED = 'ERR_STRATEGY_QUARANTINED';

/**
 * A strategy instance whose handler threw, in an engine that quarantines it rather than
 * stopping (shadow, live): what it was doing, and the named error (`strategyFailed`).
 */
export interface StrategyFailure {
  readonly strategyId: string;
  readonly hook: StrategyHook;
  /** The symbol of the bar or event it was handling, if any. */
  readonly symbol: string | undefined;
  /** Engine time of that bar or event (the clock's time for timers, start and stop). */
  readonly ts: Millis;
  readonly error: QtsError;
}

const STORAGE_CODES: ReadonlySet<string> = new Set(Object.values(StorageErrorCode));

/**
 * The engine's own failure behind what a strategy's handler let escape, if it was one: a
 * storage error (ERR_DB_*: the order journal, the ledger or the state store could not write
 * or read — a full disk, a damaged file) raised by an engine call the strategy made, such as
 * an order the OMS could not journal. That is no bug of the strategy's: the engine's books
 * failed under it. An error already named is looked through to what it named.
 */
export function engineFailure(err: unknown): QtsError | undefined {
  if (err instanceof StrategyFailedError) return engineFailure(err.cause);
  return isQtsError(err) && STORAGE_CODES.has(err.code) ? err : undefined;
}
