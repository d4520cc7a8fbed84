import { describe, expect, it } from 'vitest';
import type { GridState } from '../../src/strategies/GridTrading.js';
import { GridTrading } from '../../src/strategies/GridTrading.js';
import type { Strategy } from '../../src/strategy/Strategy.js';
import { FakeContext, feed, makeBars } from './support/FakeContext.js';
import { startStrategy } from './support/startStrategy.js';

const PARAMS = { levels: 3, spacingPct: 10, orderSize: 0.2 };
const OPTS = { cash: 1000 };
const gridOf = (ctx: FakeContext): GridState | undefined => ctx.state.get<GridState>('grid:ETH/USDT');

describe('GridTrading', () => {
  it('has the documented id, defaults and cross-field limits', () => {
    expect(GridTrading.id).toBe('grid');
    expect(GridTrading.paramsSchema.parse({})).toEqual({ levels: 5, spacingPct: 1, orderSize: 0.1 });
    const tooBig = GridTrading.paramsSchema.safeParse({ levels: 10, orderSize: 0.2 });
    expect(tooBig.error?.issues[0]?.path).toEqual(['orderSize']);
    const tooDeep = GridTrading.paramsSchema.safeParse({ levels: 10, spacingPct: 10, orderSize: 0.1 });
    expect(tooDeep.error?.issues[0]?.path).toEqual(['spacingPct']);
    expect(GridTrading.paramsSchema.safeParse({ levels: 10, orderSize: 0.1 }).success).toBe(true);
  });

  it('lays the grid below the first close, each level orderSize × equity', () => {
    const { ctx } = startStrategy(GridTrading, PARAMS, OPTS);
    feed(ctx, makeBars([100]));
    // 200 of 1000 per level: 200/90, 200/80, 200/70 floored to the 1e-8 lot.
    expect(ctx.decisions()).toEqual([
      'BUY LIMIT 2.22222222 at 90 @0',
      'BUY LIMIT 2.5 at 80 @0',
      'BUY LIMIT 2.85714285 at 70 @0',
    ]);
    expect(gridOf(ctx)?.reference).toBe(100);
  });

  it('answers a filled buy with a sell one spacing up, re-arms the buy after the sell, re-centers when flat', () => {
    const { ctx } = startStrategy(GridTrading, PARAMS, OPTS);
    feed(
      ctx,
      makeBars([
        100,
        [100, 100, 88, 92], // buy at 90 fills
        [92, 101, 92, 100], // sell at 100 fills: +22.2222222
        [100, 115, 100, 115], // 115 > 100 + 10 with nothing held: new grid around 115
      ]),
    );
    expect(ctx.decisions().slice(3)).toEqual([
      'SELL LIMIT 2.22222222 at 100 @1',
      // equity 1022.2222222 → 204.44444444 per level
      'BUY LIMIT 2.27160493 at 90 @2',
      'BUY LIMIT 1.97530864 at 103.5 @3',
      'BUY LIMIT 2.22222222 at 92 @3',
      'BUY LIMIT 2.53968253 at 80.5 @3',
    ]);
    expect(
      ctx.openOrders().map((o) => (o.request.price === undefined ? 0 : Number(o.request.price) / 1e16)),
    ).toEqual([103.5, 92, 80.5]);
    expect(ctx.equity()).toBeCloseTo(1022.2222222, 9);
    expect(gridOf(ctx)?.reference).toBe(115);
  });

  it('does not re-center while a level holds coins', () => {
    const { ctx } = startStrategy(GridTrading, PARAMS, OPTS);
    feed(ctx, makeBars([100, [100, 115, 88, 115]]));
    expect(ctx.decisions().slice(3)).toEqual(['SELL LIMIT 2.22222222 at 100 @1']);
    expect(gridOf(ctx)?.reference).toBe(100);
    expect(ctx.openOrders()).toHaveLength(3);
  });

  it('re-centers below the grid when no level could be bought', () => {
    // A minimum notional of 500 makes every 200 level unaffordable: no orders, nothing held.
    const { ctx } = startStrategy(GridTrading, PARAMS, {
      ...OPTS,
      instruments: [{ symbol: 'ETH/USDT', minNotional: 500 }],
    });
    feed(ctx, makeBars([100, 61, 59]));
    expect(ctx.decisions()).toEqual([]);
    expect(gridOf(ctx)?.reference).toBe(59);
  });

  it('parks a denied level until a sell brings cash back', () => {
    const { ctx } = startStrategy(GridTrading, PARAMS, OPTS);
    ctx.denyNext();
    feed(
      ctx,
      makeBars([
        100, // buy at 90 denied, 80 and 70 placed
        100, // the denied level is not retried on every bar
        [100, 100, 79, 85], // buy at 80 fills
        [85, 91, 85, 91], // its sell at 90 fills: both levels buy again
      ]),
    );
    expect(ctx.placed.map((p) => `${p.side} ${p.price} ${p.order.status} @${p.bar}`)).toEqual([
      'BUY 90 DENIED @0',
      'BUY 80 FILLED @0',
      'BUY 70 ACCEPTED @0',
      'SELL 90 FILLED @2',
      'BUY 90 ACCEPTED @3',
      'BUY 80 ACCEPTED @3',
    ]);
  });

  it('resumes its grid from ctx.state after a restart', () => {
    const { ctx } = startStrategy(GridTrading, PARAMS, OPTS);
    feed(ctx, makeBars([100, [100, 100, 88, 92]]));
    // A new process: same persisted state, none of the old orders open any more.
    const ctx2 = new FakeContext({ ...OPTS, state: ctx.state });
    const Ctor = GridTrading as unknown as new (c: FakeContext, p: unknown) => Strategy<unknown>;
    ctx2.start(new Ctor(ctx2, GridTrading.paramsSchema.parse(PARAMS)));
    feed(ctx2, makeBars([93]));
    expect(ctx2.decisions()).toEqual([
      'SELL LIMIT 2.22222222 at 100 @0',
      'BUY LIMIT 2.5 at 80 @0',
      'BUY LIMIT 2.85714285 at 70 @0',
    ]);
    expect(gridOf(ctx2)?.reference).toBe(100);
  });
});
