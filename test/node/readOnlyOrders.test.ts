/**
 * What a strategy is handed of an order (ctx.buy, ctx.order, ctx.openOrders, onOrderUpdate,
 * onFill) is a read-only view of the OMS's order: a write does not compile in a TypeScript
 * strategy, and in a JavaScript one it throws (strict code) or does nothing (sloppy code),
 * while the engine's order stays as the engine made it.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ZERO, toFixed } from '../../src/core/Fixed.js';
import type { Bar } from '../../src/model/Bar.js';
import type { OrderEvent, OrderFilled } from '../../src/model/events.js';
import { Strategy } from '../../src/strategy/Strategy.js';
import type { StrategyContext } from '../../src/strategy/StrategyContext.js';
import { minuteBar, simNode } from './support/simNode.js';

/** What onOrderUpdate hands over, as the base class declares it. */
type HandedOrder = Parameters<Strategy['onOrderUpdate']>[0];

class Keeper extends Strategy<Record<string, never>> {
  static readonly id = 'keeper';
  static readonly description = 'test strategy';
  static readonly paramsSchema = z.object({});
  static ctx: StrategyContext | undefined;
  static updates: { order: HandedOrder; status: string }[] = [];
  static fills: HandedOrder[] = [];
  override onStart(): void {
    super.onStart();
    Keeper.ctx = this.ctx;
  }
  override onBar(_b: Bar): void {}
  override onOrderUpdate(order: HandedOrder, _e: OrderEvent): void {
    Keeper.updates.push({ order, status: order.status });
  }
  override onFill(_f: OrderFilled, order: HandedOrder): void {
    Keeper.fills.push(order);
  }
}

function setup() {
  Keeper.ctx = undefined;
  Keeper.updates = [];
  Keeper.fills = [];
  const sim = simNode({ fillAt: 'next-open' });
  sim.node.registerFeed('BTC/USDT', '1m');
  sim.node.addStrategy({
    id: 'keeper',
    strategyClass: Keeper,
    params: {},
    symbols: ['BTC/USDT'],
    timeframe: '1m',
  });
  sim.node.start();
  const ctx = Keeper.ctx as StrategyContext | undefined;
  if (ctx === undefined) throw new Error('strategy not started');
  return { ...sim, ctx };
}

/**
 * Never called: tsc checks it (`npm run typecheck` covers test/). Each line is a write a
 * strategy might try; on an order type that allowed it the directive above it is unused, which
 * tsc reports as an error.
 */
/* eslint-disable @typescript-eslint/no-unsafe-call -- the calls below are the type errors expected */
export function writesDoNotCompile(ctx: StrategyContext, handed: HandedOrder, e: OrderEvent): void {
  const o = ctx.buy('BTC/USDT', 1);
  // @ts-expect-error a strategy cannot mark its order filled
  o.status = 'FILLED';
  // @ts-expect-error nor change what filled
  o.filledQty = 1n;
  // @ts-expect-error nor the order handed to onOrderUpdate
  handed.status = 'CANCELED';
  // @ts-expect-error nor its terms
  handed.request.quantity = 1n;
  // @ts-expect-error nor its history
  handed.events.push(e);
  // @ts-expect-error nor fold an event into it
  handed.apply(e);
  const found = ctx.order(o.id);
  // @ts-expect-error nor an order looked up by id
  if (found) found.reasonCode = undefined;
  // @ts-expect-error nor the list of open orders
  ctx.openOrders().pop();
}
/* eslint-enable @typescript-eslint/no-unsafe-call */

describe('orders handed to a strategy are read-only', () => {
  it('a JavaScript-style write to an order throws and leaves the engine’s order as it was', () => {
    const { node, feed, ctx } = setup();
    feed(minuteBar(0, 100, 101, 99, 100));
    const bid = ctx.buy('BTC/USDT', 1, { type: 'LIMIT', price: 90 });
    const engine = node.oms.order(bid.id);
    if (engine === undefined) throw new Error('order not in the OMS');
    expect(engine.status).toBe('ACCEPTED');
    const handed = Keeper.updates.at(-1)?.order;
    const found = ctx.order(bid.id);
    const open = ctx.openOrders('BTC/USDT')[0];
    for (const o of [bid, handed, found, open]) {
      if (o === undefined) throw new Error('order not handed over');
      // What a JavaScript strategy could write; test files are ES modules, so strict mode.
      const loose = o as unknown as Record<string, unknown>;
      expect(() => {
        loose['status'] = 'FILLED';
      }).toThrow(TypeError);
      expect(() => {
        loose['filledQty'] = toFixed(5);
      }).toThrow(TypeError);
      // Sloppy code's assignment: refused, nothing changes.
      expect(Reflect.set(o, 'status', 'CANCELED')).toBe(false);
      expect(() => {
        (o.request as unknown as Record<string, unknown>)['price'] = 1n;
      }).toThrow(TypeError);
      expect(() => (o.events as unknown[]).push(o.events[0])).toThrow(TypeError);
      expect((o as unknown as Record<string, unknown>)['apply']).toBeUndefined();
    }
    expect(engine.status).toBe('ACCEPTED');
    expect(engine.filledQty).toBe(ZERO);
    expect(engine.request.price).toBe(toFixed(90));
    expect(engine.events.map((e) => e.type)).toEqual(['OrderInitialized', 'OrderSubmitted', 'OrderAccepted']);
    // The bid still rests at the venue and fills as it would have.
    feed(minuteBar(1, 95, 96, 89, 92));
    expect(engine.status).toBe('FILLED');
  });

  it('one live view per order: the same object wherever it is handed, showing the order now', () => {
    const { feed, ctx } = setup();
    feed(minuteBar(0, 100, 101, 99, 100));
    const bid = ctx.buy('BTC/USDT', 1, { type: 'LIMIT', price: 90 });
    expect(ctx.order(bid.id)).toBe(bid);
    expect(ctx.openOrders()[0]).toBe(bid);
    expect(Keeper.updates.every((u) => u.order === bid)).toBe(true);
    feed(minuteBar(1, 95, 96, 89, 92));
    // Kept from ctx.buy, it reads what the OMS holds now.
    expect(bid.status).toBe('FILLED');
    expect(bid.filledQty).toBe(toFixed(1));
    expect(bid.events.at(-1)?.type).toBe('OrderFilled');
    expect(Keeper.fills).toHaveLength(1);
    expect(Keeper.fills[0]).toBe(bid);
    expect(Keeper.updates.map((u) => u.status)).toEqual(['INITIALIZED', 'SUBMITTED', 'ACCEPTED', 'FILLED']);
  });

  it('JSON.stringify and a strategy logger show the order, amounts as exact decimals', () => {
    const { feed, ctx } = setup();
    feed(minuteBar(0, 100, 101, 99, 100));
    const bid = ctx.buy('BTC/USDT', '0.3', { type: 'LIMIT', price: '90.1', tag: 'dip' });
    feed(minuteBar(1, 95, 96, 89, 92));
    const json = JSON.parse(JSON.stringify({ order: bid })) as { order: Record<string, unknown> };
    expect(json.order).toMatchObject({
      id: bid.id,
      strategyId: 'keeper',
      symbol: 'BTC/USDT',
      side: 'BUY',
      status: 'FILLED',
      filledQty: '0.3',
      leavesQty: '0',
      avgPx: '90.1',
      request: { type: 'LIMIT', quantity: '0.3', price: '90.1', tag: 'dip' },
    });
    // console.log shows the same fields, amounts as decimals.
    expect(inspect(bid)).toContain("filledQty: '0.3'");
  });
});
