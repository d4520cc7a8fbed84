import { describe, expect, it } from 'vitest';
import { formatFixed, toFixed } from '../../src/core/Fixed.js';
import type { Bar } from '../../src/model/Bar.js';
import type { OrderEvent, OrderFilled } from '../../src/model/events.js';
import type { Order } from '../../src/model/Order.js';
import { Strategy } from '../../src/strategy/Strategy.js';
import type { StrategyContext } from '../../src/strategy/StrategyContext.js';
import { z } from 'zod';
import { minuteBar, simNode } from './support/simNode.js';

const MIN = 60_000;

const bar = minuteBar;

/** A scripted strategy: the test decides what it does on each bar and records what it hears. */
class Scripted extends Strategy<Record<string, never>> {
  static readonly id = 'scripted';
  static readonly description = 'test strategy';
  static readonly paramsSchema = z.object({});
  static script: ((ctx: StrategyContext, bar: Bar) => void) | undefined;
  static heard: string[] = [];
  static bars: string[] = [];
  override onStart(): void {
    super.onStart();
    this.ctx.subscribeBars('BTC/USDT', '5m');
    this.ctx.setTimer('tick', 2 * MIN);
  }
  override onBar(b: Bar): void {
    Scripted.bars.push(`${b.timeframe}@${b.ts / MIN}`);
    if (b.timeframe === '1m') Scripted.script?.(this.ctx, b);
  }
  override onOrderUpdate(o: Order, e: OrderEvent): void {
    Scripted.heard.push(`${o.id}:${e.type}${e.type === 'OrderDenied' ? `:${e.code}` : ''}`);
  }
  override onFill(f: OrderFilled): void {
    // The ledger has booked the fill before the strategy hears of it.
    Scripted.heard.push(
      `fill:${formatFixed(f.lastQty)}@${formatFixed(f.lastPx)} pos=${formatFixed(this.ctx.position(f.symbol).qty)}`,
    );
  }
  override onDataStatus(symbol: string, stale: boolean): void {
    Scripted.heard.push(`data:${symbol}:${stale ? 'stale' : 'fresh'}`);
  }
  override onBarUpdate(b: Bar): void {
    Scripted.heard.push(`forming:${b.timeframe}@${b.ts / MIN}`);
  }
  override onTimer(name: string, ts: number): void {
    Scripted.heard.push(`timer:${name}@${ts / MIN}`);
  }
}

function setup(fillAt: 'close' | 'next-open' = 'close') {
  Scripted.heard = [];
  Scripted.bars = [];
  const { node, feed, clock } = simNode({ fillAt });
  node.registerFeed('BTC/USDT', '1m');
  node.addStrategy({
    id: 'scripted',
    strategyClass: Scripted,
    params: {},
    symbols: ['BTC/USDT'],
    timeframe: '1m',
  });
  node.start();
  return { node, feed, clock };
}

describe('TradingNode with the simulated venue', () => {
  it('sizes, fills at close, books the ledger before onFill, and builds 5m bars from 1m', () => {
    const { node, feed } = setup('close');
    Scripted.script = (ctx, b) => {
      if (b.ts === 0) ctx.buy('BTC/USDT');
    };
    for (let i = 0; i < 10; i++) feed(bar(i, 100, 101, 99, 100));
    // percent:50 of 10000 at 100 with 0.1% fee → floor(5000 / 100.1, 0.0001) = 49.95
    expect(Scripted.heard).toContain('fill:49.95@100 pos=49.95');
    expect(formatFixed(node.portfolio.cash())).toBe(formatFixed(toFixed(10_000 - 4995 - 4.995)));
    expect(Scripted.bars.filter((b) => b.startsWith('5m'))).toEqual(['5m@0', '5m@5']);
    expect(Scripted.heard.filter((h) => h.startsWith('timer'))).toEqual([
      'timer:tick@2',
      'timer:tick@4',
      'timer:tick@6',
      'timer:tick@8',
      'timer:tick@10',
    ]);
  });

  it('denies bad orders with reason codes delivered as events, never throwing', () => {
    const { feed } = setup();
    Scripted.script = (ctx, b) => {
      if (b.ts !== 0) return;
      ctx.buy('BTC/USDT', Number.NaN);
      ctx.buy('BTC/USDT', 1_000_000);
      ctx.sell('BTC/USDT', 1);
      ctx.submitOrder({ symbol: 'BTC/USDT', side: 'BUY', quantity: '0.00001', price: 100, type: 'LIMIT' });
    };
    feed(bar(0, 100, 101, 99, 100));
    const denied = Scripted.heard.filter((h) => h.includes('Denied'));
    expect(denied.map((h) => h.split(':').slice(2).join(':'))).toEqual([
      'ERR_RISK_INVALID_NUMBER',
      'ERR_RISK_INSUFFICIENT_FUNDS',
      'ERR_RISK_INSUFFICIENT_POSITION',
      'ERR_RISK_PRECISION',
    ]);
  });

  it('a bracket exits through its stop-loss and cancels the take-profit', () => {
    const { node, feed } = setup('next-open');
    let ids: string[] = [];
    Scripted.script = (ctx, b) => {
      if (b.ts === 0) {
        const br = ctx.bracket({
          symbol: 'BTC/USDT',
          side: 'BUY',
          quantity: 10,
          stopLoss: 95,
          takeProfit: 110,
        });
        ids = [br.entry.id, br.stopLoss.id, br.takeProfit.id];
      }
    };
    feed(bar(0, 100, 101, 99, 100));
    feed(bar(1, 100, 102, 98, 101)); // entry fills at the open, 100
    feed(bar(2, 101, 103, 94, 96)); // low 94 touches the stop at 95
    const [entry, sl, tp] = ids.map((id) => node.oms.order(id));
    expect(entry?.status).toBe('FILLED');
    expect(sl?.status).toBe('FILLED');
    expect(tp?.status).toBe('CANCELED');
    expect(formatFixed(node.portfolio.positionQty('BTC/USDT'))).toBe('0');
    expect(node.oms.openOrders()).toHaveLength(0);
  });

  it('keeps strategy state as JSON', () => {
    const { node } = setup();
    const ctx = (node as unknown as { strategies: Map<string, { ctx: StrategyContext }> }).strategies.get(
      'scripted',
    )?.ctx;
    ctx?.state.set('grid', { levels: [1, 2], at: 5 });
    expect(ctx?.state.get('grid')).toEqual({ levels: [1, 2], at: 5 });
    expect(() => ctx?.state.set('bad', () => 1)).toThrowError(/JSON/);
  });

  it('tells strategies of forming bars and of stale or fresh data of their symbols', () => {
    const { node } = setup();
    node.onBar({ ...bar(0, 100, 101, 99, 100), closed: false });
    node.notifyDataStatus('BTC/USDT', true);
    node.notifyDataStatus('ETH/USDT', true);
    node.notifyDataStatus('BTC/USDT', false);
    expect(Scripted.heard).toEqual(['forming:1m@0', 'data:BTC/USDT:stale', 'data:BTC/USDT:fresh']);
    expect(Scripted.bars).toEqual([]);
  });
});
