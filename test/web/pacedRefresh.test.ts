import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RefreshOutcome } from '../../web/src/state/pacedRefresh.js';
import { pacedRefresh } from '../../web/src/state/pacedRefresh.js';

const PACE = { coalesceMs: 250, minGapMs: 1_000, retryMs: 2_000 };

describe('pacedRefresh (the dashboard’s REST refreshes on push events)', () => {
  let t = 0;
  const now = (): number => t;
  /** Moves the page's clock and its timers together. */
  const advance = async (ms: number): Promise<void> => {
    for (let i = 0; i < ms; i += 50) {
      t += 50;
      await vi.advanceTimersByTimeAsync(50);
    }
  };
  beforeEach(() => {
    t = 0;
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('turns a burst of events into one refresh, and events during busy trading into one a second at most', async () => {
    const starts: number[] = [];
    const onEvent = pacedRefresh(
      () => {
        starts.push(t);
        return Promise.resolve<RefreshOutcome>('done');
      },
      PACE,
      now,
    );
    for (let i = 0; i < 20; i++) onEvent();
    await advance(300);
    expect(starts).toEqual([250]);
    // Ten events a second for three seconds: the table follows, but never faster than the gap.
    for (let k = 0; k < 30; k++) {
      onEvent();
      await advance(100);
    }
    await advance(1_500);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(1_000);
    expect(starts.length).toBeGreaterThanOrEqual(3);
    expect(starts.length).toBeLessThanOrEqual(5);
    // The last event is always followed by a refresh that started after it.
    expect(starts[starts.length - 1]).toBeGreaterThan(3_000);
  });

  it('tries a refresh the rate limit refused again, instead of leaving the table stale', async () => {
    const outcomes: RefreshOutcome[] = ['rate-limited', 'rate-limited', 'done'];
    const starts: number[] = [];
    const onEvent = pacedRefresh(
      () => {
        starts.push(t);
        return Promise.resolve(outcomes.shift() ?? 'done');
      },
      PACE,
      now,
    );
    onEvent();
    await advance(6_000);
    expect(starts).toEqual([250, 2_250, 4_250]);
  });

  it('never runs two refreshes of one resource at once; an event during one brings one more after it', async () => {
    let finish: (() => void) | undefined;
    let running = 0;
    let most = 0;
    const starts: number[] = [];
    const onEvent = pacedRefresh(
      () =>
        new Promise<RefreshOutcome>((resolve) => {
          running++;
          most = Math.max(most, running);
          starts.push(t);
          finish = () => {
            running--;
            resolve('done');
          };
        }),
      PACE,
      now,
    );
    onEvent();
    await advance(300);
    onEvent();
    await advance(3_000);
    expect(starts).toEqual([250]);
    finish?.();
    await advance(1_000);
    expect(starts.length).toBe(2);
    finish?.();
    expect(most).toBe(1);
  });
});
