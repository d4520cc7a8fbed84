import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OrderSyncFacts } from '../../src/exchanges/ccxt/syncPace.js';
import { SyncPace, isRefreshDue, paceOf } from '../../src/exchanges/ccxt/syncPace.js';

const SLOW_MS = 30_000;
const SINCE = 100_000;

function order(over: Partial<OrderSyncFacts> = {}): OrderSyncFacts {
  return { unknown: false, ackAt: SINCE - 5_000, restAt: SINCE + 10, streamAt: undefined, ...over };
}

describe('syncPace', () => {
  it('unhealthy streams: every order is fast, however fresh its news', () => {
    const o = order({ restAt: SINCE, streamAt: SINCE });
    expect(paceOf(o, undefined)).toBe(SyncPace.FAST);
    expect(isRefreshDue(o, undefined, SINCE + 1, SLOW_MS)).toBe(true);
  });

  it('unknown outcome and unacknowledged orders stay fast under healthy streams', () => {
    expect(paceOf(order({ unknown: true, streamAt: SINCE + 1 }), SINCE)).toBe(SyncPace.FAST);
    expect(paceOf(order({ ackAt: undefined, streamAt: SINCE + 1 }), SINCE)).toBe(SyncPace.FAST);
    expect(isRefreshDue(order({ unknown: true }), SINCE, SINCE + 1, SLOW_MS)).toBe(true);
  });

  it('an order with a cancel asked and not yet seen ended stays fast under healthy streams (a failed cancel is asked again next pass)', () => {
    const covered = order({ streamAt: SINCE + 1 });
    expect(paceOf(covered, SINCE)).toBe(SyncPace.SLOW);
    expect(paceOf({ ...covered, cancelPending: true }, SINCE)).toBe(SyncPace.FAST);
  });

  it('an order acknowledged before the subscription is covered once a REST answer asked after it came', () => {
    expect(paceOf(order({ restAt: SINCE - 1 }), SINCE)).toBe(SyncPace.FAST);
    expect(paceOf(order({ restAt: SINCE }), SINCE)).toBe(SyncPace.SLOW);
  });

  it('a new order is covered only once the stream spoke of it (its report may have been lost)', () => {
    const placed = order({ ackAt: SINCE + 50, restAt: SINCE + 40 });
    expect(paceOf(placed, SINCE)).toBe(SyncPace.FAST);
    expect(paceOf({ ...placed, streamAt: SINCE + 45 }, SINCE)).toBe(SyncPace.SLOW);
    // News from before the current subscription does not count: the streams were down since.
    expect(paceOf({ ...placed, streamAt: SINCE - 1 }, SINCE)).toBe(SyncPace.FAST);
  });

  it('a covered order is looked up again once its latest news is streamSyncIntervalMs old', () => {
    const o = order({ restAt: SINCE + 10, streamAt: SINCE + 20_000 });
    expect(isRefreshDue(o, SINCE, SINCE + 20_000 + SLOW_MS - 1, SLOW_MS)).toBe(false);
    expect(isRefreshDue(o, SINCE, SINCE + 20_000 + SLOW_MS, SLOW_MS)).toBe(true);
  });

  it('property: an order is never left unlooked-up past its due time, and never slow without healthy streams or while unknown', () => {
    const time = fc.option(fc.integer({ min: 0, max: 300_000 }), { nil: undefined });
    fc.assert(
      fc.property(
        fc.record({ unknown: fc.boolean(), ackAt: time, restAt: time, streamAt: time }),
        time,
        fc.integer({ min: 0, max: 400_000 }),
        fc.integer({ min: 1, max: 120_000 }),
        (o, since, now, slow) => {
          const due = isRefreshDue(o, since, now, slow);
          const pace = paceOf(o, since);
          if ((since === undefined || o.unknown || o.ackAt === undefined) && pace !== SyncPace.FAST)
            return false;
          if (pace === SyncPace.FAST) return due;
          const latest = Math.max(o.restAt ?? -Infinity, o.streamAt ?? -Infinity);
          // Slow: the view is as recent as the subscription, and it is looked up exactly when stale.
          return latest >= (since ?? Infinity) && due === now - latest >= slow;
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
