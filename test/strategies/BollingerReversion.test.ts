import { describe, expect, it } from 'vitest';
import { BollingerReversion } from '../../src/strategies/BollingerReversion.js';
import { feed, makeBars } from './support/FakeContext.js';
import { startStrategy } from './support/startStrategy.js';

// Bands(3, k=1) over these closes (lower / middle / upper):
// bar3 9.86/10.33/10.80, bar4 9.18/10.00/10.82, bar5 8.09/9.33/10.58, bar6 8.20/8.67/9.14,
// bar7 8.18/9.00/9.82, bar8 9.21/9.83/10.46, bar9 9.98/10.83/11.68, bar10 10.81/11.83/12.86,
// bar11 11.18/12.00/12.82, bar12 9.37/11.00/12.63.
const CLOSES = [10, 10, 10, 11, 9, 8, 9, 10, 10.5, 12, 13, 11, 9];

describe('BollingerReversion', () => {
  it('has the documented id and defaults', () => {
    expect(BollingerReversion.id).toBe('bollinger');
    expect(BollingerReversion.paramsSchema.parse({})).toEqual({ period: 20, k: 2, exitAt: 'middle' });
    const r = BollingerReversion.paramsSchema.safeParse({ exitAt: 'lower' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['exitAt']);
  });

  it('buys below the lower band and exits above the middle', () => {
    // bar4 9 < 9.18 → buy (filled at bar5's open); bar6 9 > 8.67 → sell; bar11 11 < 11.18 → buy.
    const { ctx } = startStrategy(BollingerReversion, { period: 3, k: 1 });
    feed(ctx, makeBars(CLOSES));
    expect(ctx.decisions()).toEqual(['BUY MARKET 1 @4', 'SELL MARKET 1 @6', 'BUY MARKET 1 @11']);
  });

  it('exits above the upper band with exitAt "upper"', () => {
    // bar6 9 is not above 9.14; bar7 10 > 9.82 → sell.
    const { ctx } = startStrategy(BollingerReversion, { period: 3, k: 1, exitAt: 'upper' });
    feed(ctx, makeBars(CLOSES));
    expect(ctx.decisions()).toEqual(['BUY MARKET 1 @4', 'SELL MARKET 1 @7', 'BUY MARKET 1 @11']);
  });
});
