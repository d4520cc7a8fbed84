import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Bar } from '../../src/model/Bar.js';
import type { OrderEvent } from '../../src/model/events.js';
import type { OrderView } from '../../src/model/OrderView.js';
import { ERR_WARMING_UP } from '../../src/node/NodeStrategyContext.js';
import { MemoryStateStore } from '../../src/node/MemoryStateStore.js';
import { Strategy } from '../../src/strategy/Strategy.js';
import type { AmendOutcome } from '../../src/model/OrderAmend.js';
import { minuteBar, simNode } from './support/simNode.js';

const MIN = 60_000;

interface Seen {
  bars: string[];
  warming: boolean[];
  orders: OrderView[];
  amends: AmendOutcome[];
  heard: string[];
  timers: string[];
}

/** Trades on every 1m bar with every verb, and records what it sees. */
class Eager extends Strategy<Record<string, never>> {
  static readonly id = 'eager';
  static readonly description = 'test strategy';
  static readonly paramsSchema = z.object({});
  static seen: Seen;
  override onStart(): void {
    super.onStart();
    this.ctx.subscribeBars('BTC/USDT', '5m');
    this.ctx.setTimer('tick', 2 * MIN);
    this.ctx.setAlarm('past', 3 * MIN);
    this.ctx.setAlarm('future', 30 * MIN);
  }
  override onBar(b: Bar): void {
    const s = Eager.seen;
    s.bars.push(`${b.timeframe}@${b.ts / MIN}`);
    if (b.timeframe !== '1m') return;
    s.warming.push(this.ctx.isWarmingUp);
    this.ctx.state.set('lastBar', b.ts / MIN);
    s.orders.push(
      this.ctx.buy('BTC/USDT', 1),
      this.ctx.sell('BTC/USDT', 'not a number'),
      this.ctx.submitOrder({ symbol: 'BTC/USDT', side: 'BUY', quantity: 1, price: 50, type: 'LIMIT' }),
    );
    const br = this.ctx.bracket({
      symbol: 'BTC/USDT',
      side: 'BUY',
      quantity: 1,
      stopLoss: 90,
      takeProfit: 120,
    });
    s.orders.push(br.entry, br.stopLoss, br.takeProfit);
    const close = this.ctx.closePosition('BTC/USDT');
    if (close) s.orders.push(close);
    for (const o of this.ctx.openOrders()) {
      s.amends.push(this.ctx.amend?.(o.id, { price: 51 }) ?? { status: 'PENDING' });
      this.ctx.cancel(o.id);
    }
  }
  override onOrderUpdate(o: OrderView, e: OrderEvent): void {
    Eager.seen.heard.push(`${o.id}:${e.type}`);
  }
  override onTimer(name: string, ts: number): void {
    Eager.seen.timers.push(`${name}@${ts / MIN}`);
  }
}

function setup() {
  Eager.seen = { bars: [], warming: [], orders: [], amends: [], heard: [], timers: [] };
  const journaled: string[] = [];
  const saved = new MemoryStateStore();
  saved.set('lastBar', 'from the last live run');
  const sim = simNode({
    journal: (o, e) => journaled.push(`${o.id}:${e.type}`),
    stateStore: () => saved,
  });
  sim.node.registerFeed('BTC/USDT', '1m');
  sim.node.addStrategy({
    id: 'eager',
    strategyClass: Eager,
    params: {},
    symbols: ['BTC/USDT'],
    timeframe: '1m',
  });
  return { ...sim, journaled, saved };
}

describe('strategy warm-up on the trading node', () => {
  it('feeds history to strategies (higher timeframes built) but refuses their orders, unjournaled, unpriced, unmatched', () => {
    const { node, venue, clock, journaled, saved } = setup();
    node.beginWarmUp();
    node.start();
    // Ten minutes of history, delivered at once at the engine's "now" (minute 10).
    clock.advanceTo(10 * MIN);
    for (let i = 0; i < 10; i++) node.warmUpBar(minuteBar(i, 100, 101, 99, 100 + i));
    const s = Eager.seen;
    expect(s.bars.filter((b) => b.startsWith('5m'))).toEqual(['5m@0', '5m@5']);
    expect(s.warming.every((w) => w)).toBe(true);
    expect(s.orders.length).toBeGreaterThanOrEqual(60);
    for (const o of s.orders) {
      expect(o.status).toBe('DENIED');
      expect(o.reasonCode).toBe(ERR_WARMING_UP);
    }
    // Nothing reached the OMS, its journal, the bus, the venue or the portfolio's prices.
    expect(journaled).toEqual([]);
    expect(s.heard).toEqual([]);
    expect(node.oms.orderCounts().total).toBe(0);
    expect(venue.openOrders().length).toBe(0);
    expect(node.lastPrice('BTC/USDT')).toBeUndefined();
    expect(node.portfolio.equity()).toBe(10_000);
    // State writes are seen by the strategy during warm-up, never persisted.
    expect(node.isWarmingUp).toBe(true);
    expect(saved.get('lastBar')).toBe('from the last live run');
    // Timers wait for the end of warm-up.
    expect(clock.timerNames()).toEqual([]);

    node.endWarmUp();
    expect(saved.get('lastBar')).toBe('from the last live run');
    // The repeating timer and the alarm still ahead are armed; the alarm of minute 3 is history.
    expect(clock.timerNames()).toEqual(['eager:future', 'eager:tick']);

    // The first live bar: priced, matched, and the strategy's orders go out and are journaled.
    clock.advanceTo(11 * MIN);
    venue.processBar(minuteBar(10, 110, 111, 109, 110));
    node.onBar(minuteBar(10, 110, 111, 109, 110));
    expect(s.warming.at(-1)).toBe(false);
    expect(node.lastPrice('BTC/USDT')).toBe(110);
    expect(saved.get('lastBar')).toBe(10);
    expect(journaled.length).toBeGreaterThan(0);
    expect(s.orders.at(-1)?.reasonCode).not.toBe(ERR_WARMING_UP);
    expect(s.heard.length).toBeGreaterThan(0);
  });

  it('a strategy started while the others warm up warms up too', () => {
    const { node, journaled } = setup();
    node.beginWarmUp();
    node.start();
    node.stopStrategy('eager');
    node.startStrategy('eager');
    node.warmUpBar(minuteBar(0, 100, 101, 99, 100));
    expect(Eager.seen.orders.length).toBeGreaterThan(0);
    expect(Eager.seen.orders.every((o) => o.reasonCode === ERR_WARMING_UP)).toBe(true);
    expect(journaled).toEqual([]);
  });

  it('each instance counts the history bars of its own timeframe it saw: one started mid-way only the rest, live bars none', () => {
    const { node } = setup();
    node.addStrategy({
      id: 'slow',
      strategyClass: Eager,
      params: {},
      symbols: ['BTC/USDT'],
      timeframe: '5m',
    });
    const seen = (id: string): number | undefined =>
      node
        .strategyInfos()
        .find((s) => s.id === id)
        ?.warmUpBars.get('BTC/USDT');
    node.beginWarmUp();
    node.start();
    for (let i = 0; i < 5; i++) node.warmUpBar(minuteBar(i, 100, 101, 99, 100));
    // Started again through the API after half the history: a fresh instance, seeing the rest.
    node.stopStrategy('eager');
    node.startStrategy('eager');
    for (let i = 5; i < 10; i++) node.warmUpBar(minuteBar(i, 100, 101, 99, 100));
    node.endWarmUp();
    node.onBar(minuteBar(10, 100, 101, 99, 100));
    expect(seen('eager')).toBe(5);
    // The 5m strategy counts its 5m bars (both built from the history), not the 1m ones.
    expect(seen('slow')).toBe(2);
  });

  it('without warm-up nothing changes: the same verbs reach the OMS', () => {
    const { node, journaled } = setup();
    node.start();
    node.onBar(minuteBar(0, 100, 101, 99, 100));
    expect(Eager.seen.warming).toEqual([false]);
    expect(journaled.length).toBeGreaterThan(0);
    expect(Eager.seen.orders.some((o) => o.reasonCode === ERR_WARMING_UP)).toBe(false);
  });
});
