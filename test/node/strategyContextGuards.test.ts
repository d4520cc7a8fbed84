import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatFixed } from '../../src/core/Fixed.js';
import type { Bar } from '../../src/model/Bar.js';
import { Strategy } from '../../src/strategy/Strategy.js';
import type { StrategyContext } from '../../src/strategy/StrategyContext.js';
import { minuteBar, simNode } from './support/simNode.js';

/** A strategy whose context the test drives directly, between bars. */
class Held extends Strategy<Record<string, never>> {
  static readonly id = 'held';
  static readonly description = 'test strategy';
  static readonly paramsSchema = z.object({});
  static ctx: StrategyContext | undefined;
  static timers: string[] = [];
  override onStart(): void {
    super.onStart();
    Held.ctx = this.ctx;
  }
  override onBar(_b: Bar): void {}
  override onTimer(name: string, ts: number): void {
    Held.timers.push(`${name}@${ts}`);
  }
}

function setup(warmUp = false) {
  Held.ctx = undefined;
  Held.timers = [];
  const sim = simNode({ fillAt: 'next-open' });
  sim.node.registerFeed('BTC/USDT', '1m');
  sim.node.addStrategy({
    id: 'held',
    strategyClass: Held,
    params: {},
    symbols: ['BTC/USDT'],
    timeframe: '1m',
  });
  if (warmUp) sim.node.beginWarmUp();
  sim.node.start();
  const ctx = Held.ctx as StrategyContext | undefined;
  if (ctx === undefined) throw new Error('strategy not started');
  return { ...sim, ctx };
}

describe('the strategy context refuses what would trade or store the wrong thing', () => {
  it('denies a negative quantity instead of trading the other way', () => {
    const { node, feed, ctx } = setup();
    feed(minuteBar(0, 100, 101, 99, 100));
    const buy = ctx.buy('BTC/USDT', -2);
    const sell = ctx.sell('BTC/USDT', '-0.5');
    for (const o of [buy, sell]) {
      expect(o.status).toBe('DENIED');
      expect(o.reasonCode).toBe('ERR_RISK_QUANTITY');
    }
    feed(minuteBar(1, 100, 101, 99, 100));
    expect(formatFixed(node.portfolio.positionQty('BTC/USDT'))).toBe('0');
    expect(formatFixed(node.portfolio.cash())).toBe('10000');
  });

  it('portfolio.available() holds back what open buys may still spend, fee included', () => {
    const { feed, ctx } = setup();
    feed(minuteBar(0, 100, 101, 99, 100));
    expect(formatFixed(ctx.portfolio.available())).toBe('10000');
    const limit = ctx.buy('BTC/USDT', 10, { type: 'LIMIT', price: 90 });
    expect(limit.status).toBe('ACCEPTED');
    // 10 × 90 = 900, plus the 0.1 % taker fee the risk engine costs a buy at: 900.9.
    expect(formatFixed(ctx.portfolio.available())).toBe('9099.1');
    const market = ctx.buy('BTC/USDT', 5);
    expect(market.status).toBe('ACCEPTED');
    // A market buy at its symbol's last price: 5 × 100 × 1.001 = 500.5.
    expect(formatFixed(ctx.portfolio.available())).toBe('8598.6');
    expect(formatFixed(ctx.portfolio.cash())).toBe('10000');
    ctx.cancel(limit.id);
    expect(formatFixed(ctx.portfolio.available())).toBe('9499.5');
    // The market buy fills at the next open, 100: the cash is spent, nothing is held back any more.
    feed(minuteBar(1, 100, 101, 99, 100));
    expect(formatFixed(ctx.portfolio.cash())).toBe('9499.5');
    expect(formatFixed(ctx.portfolio.available())).toBe('9499.5');
    // A sell holds no cash.
    ctx.sell('BTC/USDT', 5, { type: 'LIMIT', price: 150 });
    expect(formatFixed(ctx.portfolio.available())).toBe('9499.5');
  });

  it('refuses timers and alarms that could never fire right, in every mode, with a code', () => {
    for (const warmUp of [false, true]) {
      const { ctx } = setup(warmUp);
      for (const interval of [0, -1, Number.NaN, Number.POSITIVE_INFINITY])
        expect(() => ctx.setTimer('t', interval)).toThrowError(
          expect.objectContaining({ code: 'ERR_TIMER_INTERVAL' }),
        );
      expect(() => ctx.setAlarm('a', Number.NaN)).toThrowError(
        expect.objectContaining({ code: 'ERR_TIMER_TIME' }),
      );
    }
  });

  it('refuses a timer shorter than one second, naming the minimum, in every mode', () => {
    // A 1 ms timer over 20 years of daily bars would fire some 6·10¹¹ times: refused when asked
    // for, so nothing here ever advances a clock.
    for (const warmUp of [false, true]) {
      const { ctx } = setup(warmUp);
      for (const interval of [1, 999, 999.5]) {
        expect(() => ctx.setTimer('fast', interval)).toThrowError(
          expect.objectContaining({ code: 'ERR_TIMER_INTERVAL' }),
        );
        expect(() => ctx.setTimer('fast', interval)).toThrowError(/at least 1000 \(1 s\)/);
      }
      expect(() => ctx.setTimer('second', 1000)).not.toThrow();
    }
  });

  it('fires a timer at its interval across bars and an alarm once', () => {
    const { feed, ctx } = setup();
    ctx.setTimer('t', 90_000);
    ctx.setAlarm('a', 150_000);
    for (let i = 0; i < 4; i++) feed(minuteBar(i, 100, 101, 99, 100));
    expect(Held.timers).toEqual(['t@90000', 'a@150000', 't@180000']);
  });

  it('refuses state JSON would change or drop, and keeps what it takes as JSON', () => {
    for (const warmUp of [false, true]) {
      const { ctx } = setup(warmUp);
      const refused: unknown[] = [
        new Map([['a', 1]]),
        { rungs: new Set([1]) },
        { last: Number.NaN },
        [Number.POSITIVE_INFINITY],
        { n: 1n },
        { f: () => 1 },
        undefined,
      ];
      for (const value of refused)
        expect(() => ctx.state.set('k', value)).toThrowError(
          expect.objectContaining({ code: 'ERR_STATE_NOT_JSON' }),
        );
      expect(ctx.state.get('k')).toBeUndefined();
      const grid = { levels: [{ px: 1.5, at: new Date(0) }], on: true, note: null };
      ctx.state.set('grid', grid);
      grid.levels.push({ px: 2, at: new Date(1) });
      // Read back as JSON keeps it (a copy, dates as text), while warming up too.
      expect(ctx.state.get('grid')).toEqual({
        levels: [{ px: 1.5, at: '1970-01-01T00:00:00.000Z' }],
        on: true,
        note: null,
      });
    }
  });
});
