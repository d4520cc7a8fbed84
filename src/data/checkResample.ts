import { QtsError } from '../core/QtsError.js';
import { bucketStart } from './bucketStart.js';
import { checkedTimeframeMs } from './checkedTimeframeMs.js';
import { DataErrorCode } from './DataErrorCode.js';

/** Source and target bar lengths of a timeframe conversion, in milliseconds. */
export interface ResampleSpan {
  readonly baseMs: number;
  readonly targetMs: number;
}

/**
 * Validates that bars of `baseTimeframe` tile bars of `targetTimeframe` exactly, so every
 * base bar falls in exactly one target bucket: the target must be a whole multiple of the
 * base, and the two grids must line up (a 7m grid from the epoch never lines up with
 * Monday-aligned weeks, so that pair is refused rather than split bars silently).
 */
export function checkResample(symbol: string, baseTimeframe: string, targetTimeframe: string): ResampleSpan {
  const baseMs = checkedTimeframeMs(baseTimeframe);
  const targetMs = checkedTimeframeMs(targetTimeframe);
  const why =
    targetMs % baseMs !== 0
      ? `${targetTimeframe} is not a whole multiple of ${baseTimeframe}`
      : (bucketStart(0, targetMs) - bucketStart(0, baseMs)) % baseMs !== 0
        ? `${targetTimeframe} buckets do not start on ${baseTimeframe} bar boundaries`
        : undefined;
  if (why !== undefined) {
    throw new QtsError(
      DataErrorCode.Timeframe,
      `cannot aggregate ${symbol} from ${baseTimeframe} to ${targetTimeframe}: ${why}`,
      { symbol, baseTimeframe, targetTimeframe },
    );
  }
  return { baseMs, targetMs };
}

/**
 * Throws when a base bar does not start on its own timeframe's grid (e.g. hourly bars at
 * :30): such a bar would straddle two target buckets, and no honest aggregate exists.
 */
export function checkAligned(symbol: string, timeframe: string, ts: number, baseMs: number): void {
  if (bucketStart(ts, baseMs) !== ts) {
    throw new QtsError(
      DataErrorCode.Timeframe,
      `${symbol} ${timeframe} bar at ${new Date(ts).toISOString()} does not start on a ${timeframe} boundary (UTC)`,
      { symbol, timeframe, ts },
    );
  }
}
