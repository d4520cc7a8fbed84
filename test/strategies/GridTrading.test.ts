import { describe, expect, it } from 'vitest';
import { fromNumber, toFixed } from '../../src/core/Fixed.js';
import type { OrderCanceled, OrderEvent, OrderFilled } from '../../src/model/events.js';
import type { Order } from '../../src/model/Order.js';
import type { GridState } from '../../src/strategies/GridState.js';
import { GridTrading } from '../../src/strategies/GridTrading.js';
import type { Strategy } from '../../src/strategy/Strategy.js';
import { FakeContext, feed, makeBars } from './support/FakeContext.js';
import { startStrategy } from './support/startStrategy.js';

const PARAMS = { levels: 3, spacingPct: 10, orderSize: 0.2 };
const OPTS = { cash: 1000 };
const gridOf = (ctx: FakeContext): GridState | undefined => ctx.state.get<GridState>('grid:ETH/USDT');

let seq = 0;
const about = (o: Order) => ({
  eventId: `D${++seq}`,
  orderId: o.id,
  strategyId: o.strategyId,
  symbol: o.symbol,
  ts: 0,
});
/**
 * The order fills while no strategy hears it (the engine down, or the fill found at its start):
 * booked on the order, not handed to any strategy yet. `fee` is paid in ETH, the coin bought.
 */
function filledWhileDown(o: Order, qty: string, px: number, fee = '0'): [Order, OrderEvent] {
  const e: OrderFilled = {
    type: 'OrderFilled',
    ...about(o),
    tradeId: `DT${seq}`,
    side: o.side,
    lastQty: toFixed(qty),
    lastPx: fromNumber(px),
    fee: toFixed(fee),
    feeCurrency: fee === '0' ? 'USDT' : 'ETH',
    liquidity: 'MAKER',
  };
  o.apply(e);
  return [o, e];
}

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

  it('sells what a buy left when the venue took its fee in the coin bought, not the quantity ordered', () => {
    const { ctx } = startStrategy(GridTrading, PARAMS, OPTS);
    feed(ctx, makeBars([100]));
    // Binance spot: a buy pays its fee (0.1 %) in the coin received.
    ctx.handOver(...filledWhileDown(ctx.placed[0]?.order as Order, '2.22222222', 90, '0.00222222'));
    feed(ctx, makeBars([93]));
    expect(ctx.decisions().slice(3)).toEqual(['SELL LIMIT 2.22 at 100 @1']);
  });

  it('a refusal of the trading state (halt) pauses the side and tries one order again after a doubling wait, never parks', () => {
    const { ctx } = startStrategy(GridTrading, PARAMS, OPTS);
    for (let i = 0; i < 6; i++) ctx.denyNext('ERR_RISK_HALTED');
    // One bar a minute: tries after 1, 2, 4, 8, then at most 15 minutes; the seventh goes through.
    feed(ctx, makeBars(Array.from({ length: 50 }, () => 100)));
    expect(ctx.placed.map((p) => `${p.side} ${p.price} ${p.order.status} @${p.bar}`)).toEqual([
      'BUY 90 DENIED @0',
      'BUY 90 DENIED @1',
      'BUY 90 DENIED @3',
      'BUY 90 DENIED @7',
      'BUY 90 DENIED @15',
      'BUY 90 DENIED @30',
      'BUY 90 ACCEPTED @45',
      'BUY 80 ACCEPTED @45',
      'BUY 70 ACCEPTED @45',
    ]);
    expect(gridOf(ctx)?.levels.map((l) => l.parked)).toEqual([false, false, false]);
  });
});

describe('GridTrading across a restart', () => {
  /** The order is canceled before the strategy runs (kill switch still on at the start). */
  function canceledAtStart(o: Order): [Order, OrderEvent] {
    const e: OrderCanceled = { type: 'OrderCanceled', ...about(o), reason: 'kill switch (alice)' };
    o.apply(e);
    return [o, e];
  }
  /**
   * A new process: the same saved state, the orders still open adopted, then onStart.
   * `journal`: closed orders of the last run that ctx.order finds (as the engine reads its journal).
   */
  function restart(
    ctx: FakeContext,
    stillOpen: readonly Order[],
    journal: readonly Order[] = [],
  ): FakeContext {
    const ctx2 = new FakeContext({ ...OPTS, state: ctx.state, orderIdPrefix: 'R', journal });
    for (const o of stillOpen) ctx2.adopt(o);
    const Ctor = GridTrading as unknown as new (c: FakeContext, p: unknown) => Strategy<unknown>;
    ctx2.start(new Ctor(ctx2, GridTrading.paramsSchema.parse(PARAMS)));
    return ctx2;
  }
  /** The first run: three buys resting at 90, 80, 70. */
  function firstRun(): { ctx: FakeContext; buys: Order[] } {
    const { ctx } = startStrategy(GridTrading, PARAMS, OPTS);
    feed(ctx, makeBars([100]));
    return { ctx, buys: ctx.placed.map((p) => p.order) };
  }
  const warnings = (ctx: FakeContext): string[] =>
    ctx.logs.filter((l) => l.level === 'warn').map((l) => l.msg);

  it('a buy that filled while the engine was down turns to its sell when its held fill arrives, not another buy', () => {
    const { ctx, buys } = firstRun();
    const [b90, b80, b70] = buys as [Order, Order, Order];
    const held = filledWhileDown(b90, '2.22222222', 90);
    const ctx2 = restart(ctx, [b80, b70]);
    ctx2.handOver(...held);
    feed(ctx2, makeBars([93]));
    expect(ctx2.decisions()).toEqual(['SELL LIMIT 2.22222222 at 100 @0']);
    expect(gridOf(ctx2)?.levels.map((l) => [l.stage, l.quantity, l.orderId])).toEqual([
      ['sell', '2.22222222', ctx2.placed[0]?.order.id],
      ['buy', null, b80.id],
      ['buy', null, b70.id],
    ]);
    expect(gridOf(ctx2)?.reference).toBe(100);
    expect(warnings(ctx2)).toEqual([]);
  });

  it('a buy canceled at the start is laid again, a partly filled one sells what it bought; later events of the same order are expected', () => {
    const { ctx, buys } = firstRun();
    const [b90, b80, b70] = buys as [Order, Order, Order];
    const held = [filledWhileDown(b90, '1', 90), canceledAtStart(b90), canceledAtStart(b80)];
    const ctx2 = restart(ctx, [b70]);
    // Nothing is laid before the events say how the orders ended.
    expect(gridOf(ctx2)?.levels.map((l) => l.orderId)).toEqual([b90.id, b80.id, b70.id]);
    for (const h of held) ctx2.handOver(...h);
    feed(ctx2, makeBars([93]));
    expect(ctx2.decisions()).toEqual(['SELL LIMIT 1 at 100 @0', 'BUY LIMIT 2.5 at 80 @0']);
    expect(gridOf(ctx2)?.levels.map((l) => [l.stage, l.quantity])).toEqual([
      ['sell', '1'],
      ['buy', null],
      ['buy', null],
    ]);
    expect(warnings(ctx2)).toEqual([]);
  });

  it('a rung whose order ended unheard is settled from the order ctx.order finds: the filled buy turns to its sell, the canceled one is laid again', () => {
    const { ctx, buys } = firstRun();
    const [b90, b80, b70] = buys as [Order, Order, Order];
    // Both ended while the engine was down, and no event of them is handed over (the engine
    // stopped during warm-up): only the journal knows how they ended.
    const held = [filledWhileDown(b90, '2.22222222', 90, '0.00222222'), canceledAtStart(b80)];
    const ctx2 = restart(ctx, [b70], [b90, b80]);
    // Settled at the start, before any bar: nothing placed yet.
    expect(gridOf(ctx2)?.levels.map((l) => [l.stage, l.quantity, l.orderId])).toEqual([
      ['sell', '2.22', null],
      ['buy', null, null],
      ['buy', null, b70.id],
    ]);
    feed(ctx2, makeBars([93]));
    expect(ctx2.decisions()).toEqual(['SELL LIMIT 2.22 at 100 @0', 'BUY LIMIT 2.5 at 80 @0']);
    expect(warnings(ctx2)).toEqual([]);
    // Their events, should they come after all, are known as settled: no second sell, no stray.
    for (const h of held) ctx2.handOver(...h);
    feed(ctx2, makeBars([93]));
    expect(ctx2.decisions()).toHaveLength(2);
    expect(gridOf(ctx2)?.levels.map((l) => l.stage)).toEqual(['sell', 'buy', 'buy']);
    expect(warnings(ctx2)).toEqual([]);
  });

  it('a rung whose order ended with no event handed over is left out with a warning, until the grid re-centres', () => {
    const { ctx } = firstRun();
    // None of the old orders is open, and no event of them comes (the engine stopped during
    // warm-up last time): whether the buys filled is unknown, so none is bought again.
    const ctx2 = restart(ctx, []);
    feed(ctx2, makeBars([93, 93]));
    expect(ctx2.decisions()).toEqual([]);
    expect(warnings(ctx2)).toHaveLength(3);
    expect(gridOf(ctx2)?.reference).toBe(100);
    // Above the grid with nothing held: laid afresh around 115.
    feed(ctx2, makeBars([115]));
    expect(ctx2.decisions()).toEqual([
      'BUY LIMIT 1.93236714 at 103.5 @2',
      'BUY LIMIT 2.17391304 at 92 @2',
      'BUY LIMIT 2.48447204 at 80.5 @2',
    ]);
    expect(warnings(ctx2)).toHaveLength(3);
  });
});
