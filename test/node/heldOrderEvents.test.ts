/**
 * Order events a strategy cannot act on yet — they arrive before it started, or while it warms
 * up on history — are booked at once, and handed to the strategy that owns the order, in
 * arrival order, once it may trade: after onStart, after its last warm-up bar, before the
 * first live bar. What it sends in reaction is a real order.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toFixed } from '../../src/core/Fixed.js';
import type { Bar } from '../../src/model/Bar.js';
import type { OrderEvent, OrderFilled } from '../../src/model/events.js';
import type { OrderView } from '../../src/model/OrderView.js';
import type { OrderRequest } from '../../src/model/OrderRequest.js';
import { MemoryStateStore } from '../../src/node/MemoryStateStore.js';
import { Strategy } from '../../src/strategy/Strategy.js';
import { minuteBar, simNode } from './support/simNode.js';

const MIN = 60_000;

/** What every Recorder instance of a test saw, in order, tagged with its strategy id. */
let seen: string[] = [];
/** Orders the Recorders sent in reaction to an order event. */
let reactions: OrderView[] = [];

/**
 * Records its start, its bars and its order events; answers a fill of a buy with a limit sell
 * (a take-profit) and the cancel of a buy with a new buy, as a strategy keeping its working
 * order would. The saved state tells which order it believes works.
 */
class Recorder extends Strategy<{ tag?: string | undefined }> {
  static readonly id = 'recorder';
  static readonly description = 'test strategy';
  static readonly paramsSchema = z.object({ tag: z.string().optional() });
  override onStart(): void {
    super.onStart();
    seen.push(`${this.ctx.strategyId}:start${this.params.tag ?? ''}`);
  }
  override onBar(b: Bar): void {
    seen.push(`${this.ctx.strategyId}:bar@${b.ts / MIN}${this.ctx.isWarmingUp ? ':warm' : ''}`);
  }
  override onOrderUpdate(o: OrderView, e: OrderEvent): void {
    seen.push(`${this.ctx.strategyId}:${o.id}:${e.type}${this.ctx.isWarmingUp ? ':warm' : ''}`);
    if (e.type === 'OrderCanceled' && o.side === 'BUY' && o.request.tag !== 'again') {
      const again = this.ctx.buy(o.symbol, 1, { type: 'LIMIT', price: 50, tag: 'again' });
      reactions.push(again);
      this.ctx.state.set('working', again.id);
    }
  }
  override onFill(f: OrderFilled, o: OrderView): void {
    if (o.side !== 'BUY') return;
    const tp = this.ctx.sell(f.symbol, f.lastQty, { type: 'LIMIT', price: 500, tag: 'take-profit' });
    reactions.push(tp);
    this.ctx.state.set('working', tp.id);
  }
}

function limitBuy(price: number): OrderRequest {
  return {
    symbol: 'BTC/USDT',
    side: 'BUY',
    type: 'LIMIT',
    quantity: toFixed(1),
    price: toFixed(price),
    triggerPrice: undefined,
    trailingPct: undefined,
    timeInForce: 'GTC',
    postOnly: false,
    reduceOnly: false,
    ocoGroup: undefined,
    parentId: undefined,
    tag: undefined,
  };
}

function setup(priced = true) {
  seen = [];
  reactions = [];
  const saved = new Map<string, MemoryStateStore>();
  const sim = simNode({
    stateStore: (id) => {
      const s = saved.get(id) ?? new MemoryStateStore();
      saved.set(id, s);
      return s;
    },
  });
  sim.node.registerFeed('BTC/USDT', '1m');
  for (const id of ['owner', 'other'])
    sim.node.addStrategy({ id, strategyClass: Recorder, params: {}, symbols: ['BTC/USDT'], timeframe: '1m' });
  // A live price for the venue, risk and sizing.
  sim.clock.advanceTo(MIN);
  if (priced) {
    sim.venue.processBar(minuteBar(0, 100, 101, 99, 100));
    sim.node.onBar(minuteBar(0, 100, 101, 99, 100));
  }
  const state = (id: string): MemoryStateStore => saved.get(id) ?? new MemoryStateStore();
  return { ...sim, state };
}

describe('order events a strategy cannot act on yet', () => {
  it('before start: held, then handed to the owner only, after its onStart, in arrival order; its reaction goes out', () => {
    const { node, state } = setup();
    const buy = node.submit('owner', limitBuy(60));
    node.oms.cancel(buy.id, 'kill switch (still on at start)');
    expect(buy.status).toBe('CANCELED');
    // Booked and journaled at once; no strategy heard of it yet.
    expect(seen).toEqual([]);

    node.start();
    const ownerSaw = seen.filter((s) => s.startsWith('owner:'));
    expect(ownerSaw[0]).toBe('owner:start');
    expect(ownerSaw.slice(1, 6)).toEqual([
      `owner:${buy.id}:OrderInitialized`,
      `owner:${buy.id}:OrderSubmitted`,
      `owner:${buy.id}:OrderAccepted`,
      `owner:${buy.id}:OrderCancelRequested`,
      `owner:${buy.id}:OrderCanceled`,
    ]);
    expect(seen.filter((s) => s.startsWith('other:'))).toEqual(['other:start']);
    // The reaction is a real order, at the venue, and the strategy's state says so.
    const again = reactions[0];
    expect(again?.status).toBe('ACCEPTED');
    expect(node.oms.openOrders(undefined, 'owner').map((o) => o.id)).toEqual([again?.id]);
    expect(state('owner').get('working')).toBe(again?.id);
    // Its own events come after the held ones: the strategy saw its orders' events in arrival order.
    expect(ownerSaw.slice(6)).toEqual([
      `owner:${again?.id}:OrderInitialized`,
      `owner:${again?.id}:OrderSubmitted`,
      `owner:${again?.id}:OrderAccepted`,
    ]);
  });

  it('during warm-up: a fill is held past the last history bar and handed over before the first live bar; the take-profit goes out', () => {
    const { node, venue, clock, state } = setup();
    node.start();
    const buy = node.submit('owner', limitBuy(95));
    expect(buy.status).toBe('ACCEPTED');
    seen = [];
    node.beginWarmUp();
    node.stopStrategy('owner');
    node.startStrategy('owner');
    // The exchange fills the resting buy while history is fetched.
    clock.advanceTo(2 * MIN);
    venue.processBar(minuteBar(1, 96, 97, 90, 94));
    expect(buy.status).toBe('FILLED');
    expect(node.portfolio.positionQty('BTC/USDT')).toBe(toFixed(1));
    for (let i = 0; i < 2; i++) node.warmUpBar(minuteBar(i, 100, 101, 99, 100));
    expect(reactions).toEqual([]);

    node.endWarmUp();
    const tp = reactions[0];
    expect(tp?.request.tag).toBe('take-profit');
    expect(tp?.status).toBe('ACCEPTED');
    expect(state('owner').get('working')).toBe(tp?.id);
    clock.advanceTo(3 * MIN);
    node.onBar(minuteBar(2, 94, 95, 93, 94));
    expect(seen.filter((s) => s.startsWith('owner:'))).toEqual([
      'owner:start',
      'owner:bar@0:warm',
      'owner:bar@1:warm',
      `owner:${buy.id}:OrderFilled`,
      `owner:${tp?.id}:OrderInitialized`,
      `owner:${tp?.id}:OrderSubmitted`,
      `owner:${tp?.id}:OrderAccepted`,
      'owner:bar@2',
    ]);
  });

  it('no live price yet: held past the start until the first live price of its symbols, handed over before the strategy sees it', () => {
    const { node, clock } = setup(false);
    const buy = node.submit('owner', limitBuy(60));
    node.oms.cancel(buy.id, 'kill switch (still on at start)');
    node.start();
    // Sized on no price and judged on no data, the new buy would only be denied: it waits.
    expect(seen).toEqual(['owner:start', 'other:start']);
    clock.advanceTo(2 * MIN);
    node.onBar(minuteBar(1, 100, 101, 99, 100));
    const ownerSaw = seen.filter((s) => s.startsWith('owner:'));
    expect(ownerSaw.at(-1)).toBe('owner:bar@1');
    expect(ownerSaw).toContain(`owner:${buy.id}:OrderCanceled`);
    expect(ownerSaw.indexOf(`owner:${buy.id}:OrderCanceled`)).toBeLessThan(ownerSaw.indexOf('owner:bar@1'));
    expect(reactions.map((o) => o.status)).toEqual(['ACCEPTED']);
  });

  it('a strategy stopped before it could act is handed nothing, nor is the fresh instance started after', () => {
    const { node } = setup();
    const buy = node.submit('owner', limitBuy(60));
    node.oms.cancel(buy.id, 'kill switch (still on at start)');
    node.stopStrategy('owner');
    node.start();
    node.startStrategy('owner');
    expect(seen.filter((s) => s.startsWith('owner:'))).toEqual(['owner:start']);
    expect(reactions).toEqual([]);
  });

  it('parameters restored before the start rebuild the instance: the rebuilt one gets the held events', () => {
    const { node } = setup();
    const buy = node.submit('owner', limitBuy(60));
    node.oms.cancel(buy.id, 'canceled via API by alice');
    node.updateStrategyParams('owner', { tag: '-rebuilt' });
    node.start();
    const ownerSaw = seen.filter((s) => s.startsWith('owner:'));
    expect(ownerSaw[0]).toBe('owner:start-rebuilt');
    expect(ownerSaw).toContain(`owner:${buy.id}:OrderCanceled`);
    expect(reactions).toHaveLength(1);
  });
});
