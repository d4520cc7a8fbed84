import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/risk/CircuitBreaker.js';
import { LossStreaks } from '../../src/risk/LossStreaks.js';
import { OrderRateLimiter } from '../../src/risk/OrderRateLimiter.js';

const DAY = 86_400_000;

describe('CircuitBreaker', () => {
  it('trips on the loss since the UTC day start, and a new day re-anchors', () => {
    const b = new CircuitBreaker(0.05, undefined);
    expect(b.update(10_000, 1 * DAY + 10)).toBeUndefined();
    expect(b.update(9_600, 1 * DAY + 20)).toBeUndefined();
    expect(b.update(9_500, 1 * DAY + 30)?.code).toBe('ERR_RISK_DAILY_LOSS');
    // Next day: 9,500 is the new anchor, so a further 4% is fine and 5% trips.
    expect(b.update(9_500, 2 * DAY)).toBeUndefined();
    expect(b.update(9_120, 2 * DAY + 1)).toBeUndefined();
    expect(b.update(9_025, 2 * DAY + 2)?.reason).toMatch(/daily loss 5\.00%/);
  });

  it('trips on drawdown from the peak across days, and anchors survive a restore', () => {
    const b = new CircuitBreaker(undefined, 0.1);
    b.update(10_000, 0);
    b.update(12_000, DAY);
    expect(b.update(10_900, 2 * DAY)).toBeUndefined();
    const restored = new CircuitBreaker(undefined, 0.1);
    restored.restore(b.anchors()!);
    expect(restored.update(10_800, 3 * DAY)?.code).toBe('ERR_RISK_MAX_DRAWDOWN');
  });

  it('a rebase (resume) makes each breached limit count from the equity then, and leaves the others', () => {
    const b = new CircuitBreaker(0.05, 0.1);
    b.update(10_000, DAY);
    expect(b.update(9_400, DAY + 1)?.code).toBe('ERR_RISK_DAILY_LOSS');
    expect(b.rebase(9_400)).toBe(true);
    // The day's loss counts from 9,400 now; the drawdown (6 % < 10 %) still from the 10,000 peak.
    expect(b.anchors()).toEqual({ peakEquity: 10_000, dayStart: DAY, dayStartEquity: 9_400 });
    expect(b.update(9_300, DAY + 2)).toBeUndefined();
    expect(b.update(8_930, DAY + 3)?.code).toBe('ERR_RISK_DAILY_LOSS');
    expect(b.rebase(8_930)).toBe(true);
    expect(b.anchors()).toEqual({ peakEquity: 8_930, dayStart: DAY, dayStartEquity: 8_930 });
    expect(b.update(8_900, DAY + 4)).toBeUndefined();
    // Nothing breached: nothing moves.
    expect(b.rebase(8_900)).toBe(false);
    expect(b.anchors()?.peakEquity).toBe(8_930);
  });

  it('ignores non-finite equity', () => {
    const b = new CircuitBreaker(0.01, 0.01);
    b.update(100, 0);
    expect(b.update(Number.NaN, 1)).toBeUndefined();
    expect(b.anchors()).toEqual({ peakEquity: 100, dayStart: 0, dayStartEquity: 100 });
  });
});

describe('OrderRateLimiter', () => {
  it('counts submissions in a sliding window', () => {
    const r = new OrderRateLimiter(3, 60_000);
    for (const t of [0, 10_000, 20_000]) {
      expect(r.allows(t)).toBe(true);
      r.record(t);
    }
    expect(r.allows(59_999)).toBe(false);
    expect(r.allows(60_000)).toBe(true); // the submission at 0 left the window
    expect(r.count(80_001)).toBe(0);
  });
});

describe('LossStreaks', () => {
  it('starts a cooldown after N losses in a row; a win resets the streak', () => {
    const s = new LossStreaks(3, 1_000);
    s.onClosed('a', -1, 0);
    s.onClosed('a', -1, 1);
    s.onClosed('a', 5, 2);
    s.onClosed('a', -1, 3);
    s.onClosed('a', -1, 4);
    expect(s.coolingDownUntil('a', 5)).toBeUndefined();
    s.onClosed('a', -1, 5);
    expect(s.coolingDownUntil('a', 6)).toBe(1_005);
    expect(s.coolingDownUntil('a', 1_005)).toBeUndefined();
    expect(s.coolingDownUntil('b', 6)).toBeUndefined();
    expect(new LossStreaks(undefined, 1).coolingDownUntil('a', 0)).toBeUndefined();
  });
});
