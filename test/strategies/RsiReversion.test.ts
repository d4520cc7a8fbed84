import { describe, expect, it } from 'vitest';
import { RsiReversion } from '../../src/strategies/RsiReversion.js';
import { feed, makeBars } from './support/FakeContext.js';
import { startStrategy } from './support/startStrategy.js';

describe('RsiReversion', () => {
  it('has the documented id and defaults', () => {
    expect(RsiReversion.id).toBe('rsi');
    expect(RsiReversion.paramsSchema.parse({})).toEqual({ period: 14, oversold: 30, overbought: 70 });
  });

  it('rejects oversold >= overbought naming oversold', () => {
    const r = RsiReversion.paramsSchema.safeParse({ oversold: 50, overbought: 50 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['oversold']);
    expect(RsiReversion.paramsSchema.safeParse({ period: 1 }).success).toBe(false);
  });

  it('buys crossing below oversold and sells crossing above overbought', () => {
    // Wilder RSI(2): bar2 100, bar3 50, bar4 25 (crosses below 30 → buy), bar5 12.5,
    // bar6 56.25, bar7 85.4 (crosses above 70 → sell), bar8 93.75, bar9 59.7, bar10 34.5,
    // bar11 12.9 (crosses below 30 again → buy), bar12 7.9.
    const { ctx } = startStrategy(RsiReversion, { period: 2 });
    feed(ctx, makeBars([10, 11, 12, 11, 10, 9, 10, 12, 14, 13, 12, 10, 9]));
    expect(ctx.decisions()).toEqual(['BUY MARKET 1 @4', 'SELL MARKET 1 @7', 'BUY MARKET 1 @11']);
  });

  it('does not buy an RSI that starts below oversold, only a cross', () => {
    const { ctx } = startStrategy(RsiReversion, { period: 2 });
    feed(ctx, makeBars([10, 9, 8, 7, 6, 5]));
    expect(ctx.decisions()).toEqual([]);
  });

  it('ignores an overbought cross while flat', () => {
    const { ctx } = startStrategy(RsiReversion, { period: 2 });
    // RSI 100 at bar2, 50 at bar3, 75 at bar4: a cross above 70, but nothing is held.
    feed(ctx, makeBars([10, 11, 12, 11, 12]));
    expect(ctx.decisions()).toEqual([]);
  });
});
