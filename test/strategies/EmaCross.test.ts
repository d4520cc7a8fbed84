import { describe, expect, it } from 'vitest';
import { EmaCross } from '../../src/strategies/EmaCross.js';
import { feed, makeBars } from './support/FakeContext.js';
import { startStrategy } from './support/startStrategy.js';

describe('EmaCross', () => {
  it('has the documented id and defaults', () => {
    expect(EmaCross.id).toBe('ema-cross');
    expect(EmaCross.paramsSchema.parse({})).toEqual({ fast: 12, slow: 26 });
  });

  it('rejects fast >= slow naming fast', () => {
    const r = EmaCross.paramsSchema.safeParse({ fast: 50, slow: 10 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['fast']);
    expect(EmaCross.paramsSchema.safeParse({ fast: 1 }).success).toBe(false);
    expect(EmaCross.paramsSchema.safeParse({ fast: 2.5 }).success).toBe(false);
  });

  it('subscribes to its symbols at the primary timeframe', () => {
    const { ctx } = startStrategy(EmaCross, {}, { symbols: ['ETH/USDT', 'BTC/USDT'], timeframe: '5m' });
    expect(ctx.subscriptions).toEqual(['ETH/USDT@5m', 'BTC/USDT@5m']);
  });

  it('buys on the golden cross and sells on the death cross', () => {
    // EMA(2) α=2/3 and EMA(3) α=1/2, both seeded with the first close. Fast − slow:
    // bar2 −0.31 (slow now stable), bar3 −0.39, bar4 −0.11, bar5 +0.31 (cross up → buy),
    // bar6 +0.61, bar7 +0.29, bar8 −0.19 (cross down → sell).
    const { ctx } = startStrategy(EmaCross, { fast: 2, slow: 3 });
    feed(ctx, makeBars([10, 9, 8, 7, 8, 10, 12, 11, 9, 7]));
    expect(ctx.decisions()).toEqual(['BUY MARKET 1 @5', 'SELL MARKET 1 @8']);
    expect(ctx.position('ETH/USDT').isFlat).toBe(true);
  });

  it('takes no cross before the slow EMA has seen `slow` closes', () => {
    // fast − slow turns positive on bar2 (10.89 vs 10.32) while EMA(4) has had 3 closes.
    const { ctx } = startStrategy(EmaCross, { fast: 2, slow: 4 });
    feed(ctx, makeBars([10, 8, 12, 13, 14]));
    expect(ctx.decisions()).toEqual([]);
  });

  it('skips a signal while an order of the strategy for the symbol is open', () => {
    const { ctx } = startStrategy(EmaCross, { fast: 2, slow: 3 });
    ctx.buy('ETH/USDT', 1, { price: 1 });
    feed(ctx, makeBars([10, 9, 8, 7, 8, 10, 12, 11, 9, 7]));
    expect(ctx.decisions()).toEqual(['BUY LIMIT 1 at 1 @-1']);
  });

  it('keeps symbols apart', () => {
    const { ctx } = startStrategy(EmaCross, { fast: 2, slow: 3 }, { symbols: ['ETH/USDT', 'BTC/USDT'] });
    const eth = makeBars([10, 9, 8, 7, 8, 10, 12, 11, 9, 7]);
    const btc = makeBars([10, 10, 10, 10, 10, 10, 10, 10, 10, 10], 'BTC/USDT');
    for (let i = 0; i < eth.length; i++) {
      ctx.processBar(btc[i]!);
      ctx.processBar(eth[i]!);
    }
    expect(ctx.placed.map((p) => `${p.order.symbol} ${p.side}`)).toEqual(['ETH/USDT BUY', 'ETH/USDT SELL']);
  });
});
