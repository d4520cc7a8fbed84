/** How a REST refresh ended: done (loaded, or failed in a way a retry will not mend), or refused by the rate limit. */
export type RefreshOutcome = 'done' | 'rate-limited';

/** The pace of one resource's refreshes. */
export interface RefreshPace {
  /** Events closer together than this are one refresh (a fill brings orders, fills and positions). */
  readonly coalesceMs: number;
  /** Refreshes of one resource start at least this far apart. */
  readonly minGapMs: number;
  /** A refresh the API refused for its rate limit (429) is tried again after this. */
  readonly retryMs: number;
}

export const DEFAULT_PACE: RefreshPace = { coalesceMs: 250, minGapMs: 1_000, retryMs: 2_000 };

/**
 * Paces the REST refresh of one resource that push events ask for. Busy trading sends events
 * many times a second, and each refreshing its table at once ran the page into the API's rate
 * limit; a refused refresh then left its table stale until the next event. Now a burst of
 * events is one refresh, refreshes of one resource never overlap and start `minGapMs` apart at
 * least, an event during a refresh brings one more after it, and a refresh refused with 429 is
 * tried again after `retryMs`. Returns what push events call.
 */
export function pacedRefresh(
  refresh: () => Promise<RefreshOutcome>,
  pace: RefreshPace = DEFAULT_PACE,
  now: () => number = () => performance.now(),
): () => void {
  let wanted = false;
  let running = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastStart = Number.NEGATIVE_INFINITY;

  const schedule = (delay: number): void => {
    if (timer !== undefined || running) return;
    timer = setTimeout(() => {
      timer = undefined;
      void run();
    }, delay);
  };
  const nextDelay = (): number => Math.max(pace.coalesceMs, lastStart + pace.minGapMs - now());

  const run = async (): Promise<void> => {
    wanted = false;
    running = true;
    lastStart = now();
    let outcome: RefreshOutcome = 'done';
    try {
      outcome = await refresh();
    } catch {
      // A refresh reports its own failures; a throw is not a reason to stop pacing.
    } finally {
      running = false;
    }
    if (outcome === 'rate-limited') {
      wanted = true;
      schedule(pace.retryMs);
    } else if (wanted) schedule(nextDelay());
  };

  return () => {
    wanted = true;
    schedule(nextDelay());
  };
}
