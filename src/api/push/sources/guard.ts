import type { Logger } from 'pino';
import type { ChannelSpec, PushChannel } from '../PushChannel.js';

/** Where sources declare their channels (the PushServer, or a test double). */
export interface ChannelRegistry {
  channel(spec: ChannelSpec): PushChannel;
}

/** What every source needs besides its own inputs. */
export interface SourceContext {
  readonly registry: ChannelRegistry;
  readonly log: Logger;
  /** Engine time, for throttles and timestamps. */
  readonly now: () => number;
  /** Least interval between two updates of a state channel. */
  readonly throttleMs: number;
}

/**
 * Wraps a bus handler of a push source. The handler runs inside the engine's synchronous
 * publish: a fault in pushing a message must never reach a strategy or the OMS, so it is
 * logged (once per source, to keep a fault per bar from flooding the log) and swallowed.
 */
export function guarded<T>(log: Logger, source: string, fn: (m: T) => void): (m: T) => void {
  let reported = false;
  return (m) => {
    try {
      fn(m);
    } catch (err) {
      if (reported) return;
      reported = true;
      log.error({ err, source }, `push source ${source} failed; further failures are not logged`);
    }
  };
}
