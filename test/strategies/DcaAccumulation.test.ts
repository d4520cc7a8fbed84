import { describe, expect, it } from 'vitest';
import { DcaAccumulation } from '../../src/strategies/DcaAccumulation.js';
import { feed, makeBars } from './support/FakeContext.js';
import { startStrategy } from './support/startStrategy.js';

describe('DcaAccumulation', () => {
  it('has the documented id and defaults', () => {
    expect(DcaAccumulation.id).toBe('dca');
    expect(DcaAccumulation.paramsSchema.parse({})).toEqual({ amount: 100, everyBars: 1 });
    const r = DcaAccumulation.paramsSchema.safeParse({ interval: '1 day' });
    expect(r.error?.issues[0]?.path).toEqual(['interval']);
    expect(DcaAccumulation.paramsSchema.safeParse({ everyBars: 0 }).success).toBe(false);
  });

  it('spends `amount` every N bars from the first, whatever the price', () => {
    const { ctx } = startStrategy(DcaAccumulation, { amount: 100, everyBars: 3 });
    feed(ctx, makeBars([10, 20, 25, 50, 40, 10, 100]));
    expect(ctx.decisions()).toEqual(['BUY MARKET 10 @0', 'BUY MARKET 2 @3', 'BUY MARKET 1 @6']);
  });

  it('counts its bars from the first live bar: warm-up history neither buys nor shifts the schedule', () => {
    // Shadow/live: 5 warm-up bars (orders there would only be denied ERR_WARMING_UP). Counted,
    // they put the first live bar at the 6th of an every-3 schedule, so "the first bar" bought 1
    // bar late here and up to everyBars − 1 bars late in general (300 warm-up bars by default).
    const { ctx } = startStrategy(DcaAccumulation, { amount: 100, everyBars: 3 });
    ctx.isWarmingUp = true;
    feed(ctx, makeBars([10, 20, 25, 50, 40]));
    ctx.isWarmingUp = false;
    feed(
      ctx,
      makeBars([10, 20, 25, 50, 40]).map((b) => ({ ...b, ts: b.ts + 5 * 60_000 })),
    );
    const live = ctx.decisions().filter((d) => Number(d.split('@')[1]) >= 5);
    expect(live).toEqual(['BUY MARKET 10 @5', 'BUY MARKET 2 @8']);
    // Nor does it ask for orders on history (the fake does not deny them as the engine does).
    expect(ctx.decisions()).toEqual(live);
  });

  it('sells everything when a close is takeProfitPct above the average entry, then goes on', () => {
    const { ctx } = startStrategy(DcaAccumulation, { amount: 100, everyBars: 2, takeProfitPct: 50 });
    // Fills at the next open: 10 @ 10, 12.5 @ 8, 8 @ 12.5 → 30.5 for 300, average 9.836;
    // take profit from 14.754: bar6's 16.
    feed(ctx, makeBars([10, 10, 8, 8, 12.5, 12.5, 16, 16, 16]));
    expect(ctx.decisions()).toEqual([
      'BUY MARKET 10 @0',
      'BUY MARKET 12.5 @2',
      'BUY MARKET 8 @4',
      'SELL MARKET 30.5 @6',
      'BUY MARKET 6.25 @8',
    ]);
  });

  it('skips a buy the cash does not cover (fee included) instead of sending it', () => {
    const { ctx } = startStrategy(DcaAccumulation, { amount: 100 }, { cash: 200.19, fee: 0.001 });
    feed(ctx, makeBars([10, 10, 10]));
    // 100 + 0.1 fee leaves 100.09: the second buy (100.1) no longer fits.
    expect(ctx.decisions()).toEqual(['BUY MARKET 10 @0']);
    expect(ctx.logs.some((l) => l.msg.includes('skipped'))).toBe(true);
    const exact = startStrategy(DcaAccumulation, { amount: 100 }, { cash: 200.2, fee: 0.001 }).ctx;
    feed(exact, makeBars([10, 10, 10]));
    expect(exact.decisions()).toEqual(['BUY MARKET 10 @0', 'BUY MARKET 10 @1']);
  });

  it('warns at the first buy of a stretch it skips, then only debug-logs until a buy goes through', () => {
    // 100 + 0.1 fee leaves 0.8 of 100.9 after the first buy: the next three are skipped.
    const { ctx } = startStrategy(DcaAccumulation, { amount: 100 }, { cash: 100.9, fee: 0.001 });
    feed(ctx, makeBars([10, 10, 10, 10]));
    const skips = ctx.logs.filter((l) => l.msg.includes('skipped'));
    expect(skips.map((l) => l.level)).toEqual(['warn', 'debug', 'debug']);
    expect(skips[0]?.msg).toMatch(
      /^buy of ETH\/USDT for 100 USDT skipped: it costs more than the 0\.8 USDT available/,
    );
  });

  it('says a buy below the instrument minimum apart from one the cash does not cover', () => {
    const { ctx } = startStrategy(
      DcaAccumulation,
      { amount: 1 },
      { instruments: [{ symbol: 'ETH/USDT', minNotional: '5' }] },
    );
    feed(ctx, makeBars([10, 10]));
    const skips = ctx.logs.filter((l) => l.msg.includes('skipped'));
    expect(skips.map((l) => l.level)).toEqual(['warn', 'debug']);
    expect(skips[0]?.msg).toContain("skipped: below the instrument's minimum order");
  });

  it('buys on its timer instead of on bars when given an interval', () => {
    const { ctx } = startStrategy(DcaAccumulation, { amount: 100, interval: '1h' });
    expect(ctx.timers.get('dca')).toBe(3_600_000);
    feed(ctx, makeBars([10, 20]));
    expect(ctx.decisions()).toEqual([]);
    ctx.fireTimer('dca', 3_600_000);
    ctx.fireTimer('dca', 7_200_000); // the first buy is still open: skipped
    expect(ctx.decisions()).toEqual(['BUY MARKET 5 @1']);
  });
});
