import { QtsError } from '../core/QtsError.js';
import { timeframeToMs } from '../core/time.js';
import { DataErrorCode } from './DataErrorCode.js';

/**
 * `timeframeToMs` for timeframes that come from users and files: a bad one is an expected
 * failure (a typo on the command line), so it surfaces as a coded ERR_DATA_TIMEFRAME rather
 * than a bare Error.
 */
export function checkedTimeframeMs(timeframe: string): number {
  try {
    return timeframeToMs(timeframe);
  } catch {
    throw new QtsError(
      DataErrorCode.Timeframe,
      `invalid timeframe "${timeframe}" (expected e.g. 1m, 5m, 1h, 1d, 1w)`,
      { timeframe },
    );
  }
}
