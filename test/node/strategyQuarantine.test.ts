/**
 * A node with a failure policy (shadow, live) quarantines the strategy instance whose handler
 * throws: it hears nothing more and sends nothing more, its open orders stay, and the node and
 * the other instances go on. Without one (backtests) the exception still ends the run.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { QtsError } from '../../src/core/QtsError.js';
import { ORDER_EVENTS } from '../../src/kernel/topics.js';
import type { Bar } from '../../src/model/Bar.js';
import type { OrderEvent } from '../../src/model/events.js';
import type { StrategyFailure } from '../../src/node/TradingNode.js';
import { Strategy } from '../../src/strategy/Strategy.js';
import { minuteBar, simNode } from './support/simNode.js';

const MIN = 60_000;

type Hook = 'onBar' | 'onTimer' | 'onOrderUpdate' | 'onDataStatus' | 'onStop' | 'onStart' | 'none';

/** What each instance was called with, by instance id. */
const calls = new Map<string, string[]>();
const called = (id: string): string[] => calls.get(id) ?? [];

/**
 * Lays a limit buy far below the market on its first bar (an order that must outlive its
 * quarantine), and throws from `Flaky.hook` at 00:02. With hook onOrderUpdate it cancels its
 * buy at 00:02 and throws on hearing the cancel, inside its own onBar, which then tries to buy.
 */
class Flaky extends Strategy<Record<string, never>> {
  static readonly id = 'flaky';
  static readonly description = 'test strategy that throws';
  static readonly paramsSchema = z.object({});
  static hook: Hook = 'onBar';
  private resting: string | undefined;
  private log(what: string): void {
    calls.set(this.ctx.strategyId, [...called(this.ctx.strategyId), what]);
  }
  override onStart(): void {
    this.log('start');
    if (Flaky.hook === 'onStart') throw new Error('boom');
    super.onStart();
    this.ctx.setTimer('tick', 2 * MIN);
  }
  override onBar(b: Bar): void {
    this.log(`bar ${b.ts / MIN}`);
    if (this.resting === undefined)
      this.resting = this.ctx.buy(b.symbol, 0.01, { type: 'LIMIT', price: 50 }).id;
    if (b.ts !== 2 * MIN) return;
    if (Flaky.hook === 'onBar') throw new Error('boom');
    if (Flaky.hook === 'onOrderUpdate') {
      this.ctx.cancel(this.resting);
      // Quarantined by now (its onOrderUpdate threw): this buy is refused and unwinds the handler.
      this.ctx.buy(b.symbol, 0.01);
      this.log('bought after the failure');
    }
  }
  override onTimer(): void {
    this.log('timer');
    if (Flaky.hook === 'onTimer') throw new Error('boom');
  }
  override onOrderUpdate(_o: unknown, e: OrderEvent): void {
    this.log(e.type);
    if (Flaky.hook === 'onOrderUpdate' && e.type === 'OrderCanceled') throw new Error('boom');
  }
  override onDataStatus(): void {
    this.log('status');
    if (Flaky.hook === 'onDataStatus') throw new Error('boom');
  }
  override onStop(): void {
    this.log('stop');
    if (Flaky.hook === 'onStop') throw new Error('boom');
  }
}

/** Buys once at 00:03, after the other failed; logs its bars. */
class Steady extends Strategy<Record<string, never>> {
  static readonly id = 'steady';
  static readonly description = 'test strategy that keeps trading';
  static readonly paramsSchema = z.object({});
  override onBar(b: Bar): void {
    calls.set('steady', [...called('steady'), `bar ${b.ts / MIN}`]);
    if (b.ts === 3 * MIN) this.ctx.buy(b.symbol, 0.01);
  }
  override onStop(): void {
    calls.set('steady', [...called('steady'), 'stop']);
  }
}

/** Runs six bars (and a stale notice at 00:02 when asked) with flaky-1 and steady-1 on a node. */
function run(hook: Hook, quarantine = true) {
  Flaky.hook = hook;
  calls.clear();
  const failures: StrategyFailure[] = [];
  const { node, feed } = simNode(quarantine ? { onStrategyFailure: (f) => failures.push(f) } : {});
  node.registerFeed('BTC/USDT', '1m');
  /** The strategy of every order created, in order. */
  const created: string[] = [];
  node.bus.subscribe(ORDER_EVENTS, (e) => {
    if (e.type === 'OrderInitialized') created.push(e.strategyId);
  });
  for (const [id, cls] of [
    ['flaky-1', Flaky],
    ['steady-1', Steady],
  ] as const)
    node.addStrategy({ id, strategyClass: cls, params: {}, symbols: ['BTC/USDT'], timeframe: '1m' });
  node.start();
  for (let i = 0; i < 6; i++) {
    feed(minuteBar(i, 100, 101, 99, 100));
    if (i === 2 && hook === 'onDataStatus') node.notifyDataStatus('BTC/USDT', true);
  }
  node.stop();
  return { node, failures, created };
}

describe('a strategy whose handler throws, on a node that quarantines', () => {
  for (const hook of ['onBar', 'onTimer', 'onDataStatus'] as const) {
    it(`${hook}: quarantined once, hears nothing more; its buy stays open; the other trades on`, () => {
      const { node, failures } = run(hook);
      expect(failures.map((f) => [f.strategyId, f.hook, f.error.code])).toEqual([
        ['flaky-1', hook, 'ERR_STRATEGY_FAILED'],
      ]);
      expect(failures[0]?.error.message).toMatch(/^strategy flaky-1 failed in /);
      const seen = called('flaky-1');
      // The call that threw is its last: no bar, timer or stop after it.
      expect(seen.at(-1)).toBe(hook === 'onBar' ? 'bar 2' : hook === 'onTimer' ? 'timer' : 'status');
      expect(seen).not.toContain('bar 3');
      expect(called('steady')).toEqual(['bar 0', 'bar 1', 'bar 2', 'bar 3', 'bar 4', 'bar 5', 'stop']);
      expect(node.oms.openOrders(undefined, 'flaky-1').map((o) => o.request.type)).toEqual(['LIMIT']);
      expect(node.portfolio.positionQty('BTC/USDT')).toBeGreaterThan(0n);
      const info = node.strategyInfos().find((s) => s.id === 'flaky-1');
      expect([info?.running, info?.failure?.hook]).toEqual([false, hook]);
      expect(node.strategyInfos().find((s) => s.id === 'steady-1')?.failure).toBeUndefined();
    });
  }

  it('onOrderUpdate inside its own onBar: quarantined there, the rest of that onBar sends nothing', () => {
    const { node, failures, created } = run('onOrderUpdate');
    expect(failures.map((f) => f.hook)).toEqual(['onOrderUpdate']);
    expect(called('flaky-1')).not.toContain('bought after the failure');
    // Its resting buy only: the buy after the failure was refused (ERR_STRATEGY_QUARANTINED).
    expect(created.filter((id) => id === 'flaky-1')).toHaveLength(1);
    expect(node.oms.openOrders(undefined, 'flaky-1')).toEqual([]);
    expect(called('steady')).toContain('bar 5');
  });

  it('onStop at the engine stop: the others are still stopped, the stop completes', () => {
    const { node, failures } = run('onStop');
    expect(failures.map((f) => f.hook)).toEqual(['onStop']);
    expect(called('steady').at(-1)).toBe('stop');
    expect(node.strategyInfos().map((s) => [s.id, s.running, s.failure?.hook])).toEqual([
      ['flaky-1', false, 'onStop'],
      ['steady-1', true, undefined],
    ]);
  });

  it('onStart at the engine start: the others start and trade', () => {
    const { failures } = run('onStart');
    expect(failures.map((f) => f.hook)).toEqual(['onStart']);
    expect(called('flaky-1')).toEqual(['start']);
    expect(called('steady')).toContain('bar 5');
  });

  it('an operator start whose onStart throws: quarantined, and the caller gets the error', () => {
    Flaky.hook = 'onStart';
    const failures: StrategyFailure[] = [];
    const { node } = simNode({ onStrategyFailure: (f) => failures.push(f) });
    node.addStrategy({
      id: 'flaky-1',
      strategyClass: Flaky,
      params: {},
      symbols: ['BTC/USDT'],
      timeframe: '1m',
    });
    node.start();
    expect(failures).toHaveLength(1);
    expect(() => node.startStrategy('flaky-1')).toThrow(/strategy flaky-1 failed in onStart/);
    expect(failures).toHaveLength(2);
    expect(node.strategyInfos()[0]?.running).toBe(false);
  });

  it('without a failure policy (backtests) the exception still ends the run, coded', () => {
    expect(() => run('onTimer', false)).toThrow(QtsError);
    expect(() => run('onTimer', false)).toThrow(/^strategy flaky-1 failed in onTimer \(/);
  });
});
