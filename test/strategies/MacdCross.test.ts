import { describe, expect, it } from 'vitest';
import { MacdCross } from '../../src/strategies/MacdCross.js';
import { feed, makeBars } from './support/FakeContext.js';
import { startStrategy } from './support/startStrategy.js';

describe('MacdCross', () => {
  it('has the documented id and defaults', () => {
    expect(MacdCross.id).toBe('macd');
    expect(MacdCross.paramsSchema.parse({})).toEqual({ fast: 12, slow: 26, signal: 9 });
  });

  it('rejects fast >= slow naming fast', () => {
    const r = MacdCross.paramsSchema.safeParse({ fast: 26, slow: 26 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['fast']);
  });

  it('buys when the MACD line crosses above its signal and sells when it crosses below', () => {
    // MACD(2,3,2), line − signal: bar3 −0.046 (signal now stable), bar4 +0.011 (cross up →
    // buy), bar5 +0.089, bar6 +0.152, bar7 +0.083, bar8 −0.022 (cross down → sell), then negative.
    const { ctx } = startStrategy(MacdCross, { fast: 2, slow: 3, signal: 2 });
    feed(ctx, makeBars([10, 10, 9, 8, 8, 9, 11, 12, 12, 11, 9, 8]));
    expect(ctx.decisions()).toEqual(['BUY MARKET 1 @4', 'SELL MARKET 1 @8']);
  });

  it('does nothing on a flat market', () => {
    const { ctx } = startStrategy(MacdCross, { fast: 2, slow: 3, signal: 2 });
    feed(ctx, makeBars(Array.from({ length: 20 }, () => 10)));
    expect(ctx.decisions()).toEqual([]);
  });
});
