import type { StreamHealthView } from './PrivateStreamHealth.js';
import type { OrderSyncFacts } from './syncPace.js';
import { SyncPace, isRefreshDue, paceOf } from './syncPace.js';
import type { TrackedOrder } from './TrackedOrders.js';

/** The REST sync's pace as of the last paced pass (see `syncDue`). */
export interface SyncPaceView {
  /** Private streams: off (not started or not supported), healthy or unhealthy. */
  readonly streams: 'off' | 'healthy' | 'unhealthy';
  readonly detail: string;
  /** Orders looked up every pass (unknown outcome, unacknowledged, not covered by the streams). */
  readonly fastOrders: number;
  /** Orders looked up only when their news is streamSyncIntervalMs old. */
  readonly slowOrders: number;
  /** Lookups made by paced passes, and the ones they skipped because the streams covered the order. */
  readonly lookups: number;
  readonly skipped: number;
}

type PaceCounts = Pick<SyncPaceView, 'fastOrders' | 'slowOrders' | 'lookups' | 'skipped'>;

/**
 * Picks the orders a paced REST pass looks up (src/exchanges/ccxt/syncPace.ts), and keeps the
 * tally health pages show: the last pass's fast and slow orders, and the lookups made and
 * skipped by every pass so far.
 */
export class SyncPacer {
  private counts: PaceCounts = { fastOrders: 0, slowOrders: 0, lookups: 0, skipped: 0 };

  /**
   * The orders due at `now`, in the order given. An order whose lookup from an earlier pass
   * is still under way is counted but not asked about again.
   */
  due(
    orders: Iterable<TrackedOrder>,
    healthySince: number | undefined,
    now: number,
    streamSyncIntervalMs: number,
  ): TrackedOrder[] {
    const counts = { fastOrders: 0, slowOrders: 0, lookups: 0, skipped: 0 };
    const due: TrackedOrder[] = [];
    for (const t of orders) {
      const facts = syncFactsOf(t);
      if (paceOf(facts, healthySince) === SyncPace.SLOW) counts.slowOrders += 1;
      else counts.fastOrders += 1;
      if (t.refreshing === true) continue;
      if (!isRefreshDue(facts, healthySince, now, streamSyncIntervalMs)) {
        counts.skipped += 1;
        continue;
      }
      counts.lookups += 1;
      due.push(t);
    }
    this.counts = {
      ...counts,
      lookups: this.counts.lookups + counts.lookups,
      skipped: this.counts.skipped + counts.skipped,
    };
    return due;
  }

  /** The tally with the streams' state (`health` undefined: never started). */
  view(health: StreamHealthView | undefined, streaming: boolean): SyncPaceView {
    const streams = health === undefined || !streaming ? 'off' : health.healthy ? 'healthy' : 'unhealthy';
    return { streams, detail: health?.detail ?? 'private streams off', ...this.counts };
  }
}

/** The pace a paced pass would look the order up at now. */
export function orderPaceOf(t: TrackedOrder, healthySince: number | undefined): SyncPace {
  return paceOf(syncFactsOf(t), healthySince);
}

function syncFactsOf(t: TrackedOrder): OrderSyncFacts {
  return {
    unknown: t.unknownSince !== undefined,
    ackAt: t.ackAt,
    restAt: t.restAt,
    streamAt: t.streamAt,
    cancelPending: t.cancelReason !== undefined,
  };
}
