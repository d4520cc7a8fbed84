import type { LiveClock } from '../kernel/LiveClock.js';
import { secretRegistry } from '../monitor/SecretRegistry.js';
import type { RuntimeStorage } from './openRuntimeStorage.js';
import type { MarketDataChoice } from './selectMarketData.js';

/**
 * A start that failed before the runtime was built: the market data opened (if it was), the
 * clock and the database are released and the run is recorded as failed.
 */
export async function releaseUnbuilt(
  { stores, runId, close }: RuntimeStorage,
  clock: LiveClock,
  market: MarketDataChoice | undefined,
  error: unknown,
): Promise<void> {
  await market?.feed.stop().catch(() => undefined);
  await market?.exchange?.close?.().catch(() => undefined);
  stores.runs.finish(runId, { stoppedAt: clock.now(), status: 'FAILED', error: failureMessage(error) });
  clock.dispose();
  close();
}

/** Why a run failed, as recorded: an exchange's error may echo a key, so secrets are scrubbed. */
export function failureMessage(e: unknown): string {
  return secretRegistry.scrub(e instanceof Error ? e.message : String(e));
}
