/**
 * The strategies' test context refuses what the engine's context refuses: a timer under one
 * second (ERR_TIMER_INTERVAL), so a strategy cannot pass its unit tests with a timer the engine
 * would turn down at start.
 */
import { describe, expect, it } from 'vitest';
import { FakeContext } from './support/FakeContext.js';

describe('FakeContext timers', () => {
  it('refuses an interval under 1 s, NaN or negative, and keeps one of 1 s', () => {
    const ctx = new FakeContext();
    for (const ms of [999, 0, -5, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => ctx.setTimer('t', ms)).toThrow(expect.objectContaining({ code: 'ERR_TIMER_INTERVAL' }));
    expect(ctx.timers.size).toBe(0);
    ctx.setTimer('t', 1000);
    expect(ctx.timers.get('t')).toBe(1000);
  });
});
