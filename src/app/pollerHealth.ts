import type { ComponentHealth } from '../api/EngineStatus.js';
import type { Millis } from '../core/time.js';

/**
 * The health of a poller that books what the exchange settled on its own (funding payments,
 * liquidations): ready while its last look succeeded, so a failing exchange endpoint shows in
 * `/health` before the books drift.
 */
export function pollerHealth(
  name: string,
  bookedText: string,
  lastPoll: Millis | undefined,
  lastError: string | undefined,
): ComponentHealth {
  const last = lastPoll === undefined ? 'not run yet' : `last look ${new Date(lastPoll).toISOString()}`;
  const failed = lastError === undefined ? '' : `; last look failed: ${lastError}`;
  return {
    name,
    ready: lastError === undefined,
    detail: `${bookedText} booked since start; ${last}${failed}`,
  };
}
