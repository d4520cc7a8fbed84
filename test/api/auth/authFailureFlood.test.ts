import { describe, expect, it } from 'vitest';
import { AuthFailureLimiter } from '../../../src/api/auth/AuthFailureLimiter.js';

const WINDOW = 15 * 60_000;

/** A clock the test moves, counting how often the limiter reads it: a measure of its work. */
function clock(start = 1_700_000_000_000): { now: () => number; t: number; reads: number } {
  const c = {
    t: start,
    reads: 0,
    now: () => {
      c.reads++;
      return c.t;
    },
  };
  return c;
}

const v6 = (i: number): string =>
  `2001:db8:0:0:0:0:${Math.floor(i / 65536).toString(16)}:${(i % 65536).toString(16)}`;

describe('failed-authentication limiter under a flood of distinct addresses (an IPv6 range)', () => {
  it('does constant work per failure however many addresses it has seen', () => {
    const c = clock();
    const limiter = new AuthFailureLimiter(10, WINDOW, c.now);
    for (let i = 0; i < 12_000; i++) limiter.fail(v6(i));
    c.reads = 0;
    for (let i = 12_000; i < 13_000; i++) limiter.fail(v6(i));
    // Each failure reads the clock a few times; a scan of the whole table read it once per address.
    expect(c.reads / 1000).toBeLessThanOrEqual(5);
  });

  it('remembers at most maxTracked addresses, forgetting the oldest first', () => {
    const c = clock();
    const limiter = new AuthFailureLimiter(3, WINDOW, c.now, 100);
    for (let k = 0; k < 3; k++) limiter.fail('198.51.100.7');
    expect(limiter.blockedFor('198.51.100.7')).toBe(WINDOW);
    for (let i = 0; i < 99; i++) limiter.fail(v6(i));
    expect(limiter.tracked).toBe(100);
    // Still within the cap: the guesser stays blocked.
    expect(limiter.blockedFor('198.51.100.7')).toBe(WINDOW);
    for (let i = 99; i < 500; i++) limiter.fail(v6(i));
    expect(limiter.tracked).toBe(100);
    expect(limiter.blockedFor(v6(499))).toBe(0);
    for (let k = 0; k < 2; k++) limiter.fail(v6(499));
    expect(limiter.blockedFor(v6(499))).toBe(WINDOW);
  });

  it('forgets expired windows as new addresses fail, and keeps counting those still open', () => {
    const c = clock();
    const limiter = new AuthFailureLimiter(2, WINDOW, c.now);
    for (let i = 0; i < 50; i++) limiter.fail(v6(i));
    c.t += WINDOW / 2;
    limiter.fail('203.0.113.9');
    limiter.fail('203.0.113.9');
    expect(limiter.blockedFor('203.0.113.9')).toBe(WINDOW);
    c.t += WINDOW / 2;
    limiter.fail('192.0.2.1');
    // The first 50 expired and are gone; the one opened later is still open and blocks.
    expect(limiter.tracked).toBe(2);
    expect(limiter.blockedFor('203.0.113.9')).toBe(WINDOW / 2);
    expect(limiter.blockedFor('::ffff:203.0.113.9')).toBe(WINDOW / 2);
    c.t += WINDOW / 2;
    expect(limiter.blockedFor('203.0.113.9')).toBe(0);
  });
});
