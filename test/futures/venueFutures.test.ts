import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runBacktest } from '../../src/backtest/runBacktest.js';
import { formatFixed, toFixed } from '../../src/core/Fixed.js';
import type { Bar } from '../../src/model/Bar.js';
import { allocBarSeries } from '../../src/model/BarSeries.js';
import type { BarSeries } from '../../src/model/BarSeries.js';
import type { OrderEvent } from '../../src/model/events.js';
import type { PositionLiquidated } from '../../src/model/futuresEvents.js';
import type { MarginMode } from '../../src/model/MarginMode.js';
import type { Order } from '../../src/model/Order.js';
import { Strategy } from '../../src/strategy/Strategy.js';
import type { StrategyContext } from '../../src/strategy/StrategyContext.js';

const SYMBOL = 'TST/USDT:USDT';

/** One-minute bars from [open, high, low, close] rows. */
function series(rows: readonly [number, number, number, number][]): BarSeries {
  const s = allocBarSeries(SYMBOL, '1m', rows.length);
  rows.forEach(([o, h, l, c], i) => {
    s.ts[i] = i * 60_000;
    s.open[i] = o;
    s.high[i] = h;
    s.low[i] = l;
    s.close[i] = c;
    s.volume[i] = 1e9;
  });
  return s;
}

/** Runs scripted actions at given bar indices and records every order event and liquidation. */
class Script extends Strategy<Record<string, never>> {
  static readonly id = 'script';
  static readonly description = 'test strategy: scripted actions';
  static readonly paramsSchema = z.object({});
  static actions: Record<number, (ctx: StrategyContext, symbol: string) => void> = {};
  static events: OrderEvent[] = [];
  static liquidations: PositionLiquidated[] = [];
  private i = 0;
  override onBar(bar: Bar): void {
    Script.actions[this.i++]?.(this.ctx, bar.symbol);
  }
  override onOrderUpdate(_o: Order, e: OrderEvent): void {
    Script.events.push(e);
  }
  override onLiquidation(e: PositionLiquidated): void {
    Script.liquidations.push(e);
  }
}

function run(
  rows: readonly [number, number, number, number][],
  actions: typeof Script.actions,
  leverage: number,
  mode: MarginMode = 'ISOLATED',
  cash = 100,
) {
  Script.actions = actions;
  Script.events = [];
  Script.liquidations = [];
  return runBacktest({
    series: [series(rows)],
    strategy: Script,
    params: {},
    initialCash: cash,
    commission: 0.001,
    fill: { fillAt: 'close' },
    sizing: { kind: 'all-in', step: toFixed(1) },
    futures: { leverage, marginMode: mode },
  });
}

const FLAT: [number, number, number, number][] = Array.from({ length: 6 }, () => [1, 1, 1, 1]);

describe('simulated venue on perpetuals', () => {
  it('rejects an order whose initial margin + fee exceeds the available balance (ERR_INSUFFICIENT_MARGIN)', () => {
    // 10x, 100 USDT: 1 000 units at 1 need 100 of margin + 1 of fee → refused; 900 need 90 + 0.9 → filled.
    const { node } = run(FLAT, { 0: (c, s) => c.buy(s, 1000), 1: (c, s) => c.buy(s, 900) }, 10);
    const rejected = Script.events.find((e) => e.type === 'OrderRejected');
    expect(rejected?.type === 'OrderRejected' && rejected.code).toBe('ERR_INSUFFICIENT_MARGIN');
    expect(rejected?.type === 'OrderRejected' && rejected.reason).toContain('needs 101 USDT');
    expect(formatFixed(node.portfolio.positionQty(SYMBOL))).toBe('900');
    expect(formatFixed(node.portfolio.margin.isolatedMargin(SYMBOL))).toBe('90');
  });

  it('all-in sizing buys on margin at the leverage: floor(cash / (price × (1/leverage + fee)))', () => {
    // 100 / (1 × (0.2 + 0.001)) = 497.5… → 497 at 5x.
    const { node } = run(FLAT, { 0: (c, s) => c.buy(s) }, 5);
    expect(formatFixed(node.portfolio.positionQty(SYMBOL))).toBe('497');
  });

  it('allows shorts, and a reduce-only order never flips the position: it fills what closes it and cancels the rest', () => {
    const { node } = run(
      FLAT,
      {
        0: (c, s) => c.sell(s, 300),
        1: (c, s) => c.buy(s, 500, { reduceOnly: true }),
      },
      5,
    );
    expect(formatFixed(node.portfolio.positionQty(SYMBOL))).toBe('0');
    const fills = Script.events.filter((e) => e.type === 'OrderFilled');
    expect(fills.map((f) => f.type === 'OrderFilled' && formatFixed(f.lastQty))).toEqual(['300', '300']);
    const cancel = Script.events.find((e) => e.type === 'OrderCanceled');
    expect(cancel?.type === 'OrderCanceled' && cancel.reason).toBe('ERR_REDUCE_ONLY');
    expect(node.portfolio.margin.isolatedMargin(SYMBOL)).toBe(0n);
  });

  it('a bar opening beyond the bankruptcy price closes a 50x short at the open; insurance covers the deficit, the wallet stays positive', () => {
    // Short 1 000 at 1 with 50x: margin 20. Next bar opens at 1.1 (+10 %): the loss of 100 is
    // five times the margin; the trader loses exactly the margin, the insurance fund the rest.
    const rows: [number, number, number, number][] = [
      [1, 1, 1, 1],
      [1.1, 1.1, 1.1, 1.1],
      [1.1, 1.1, 1.1, 1.1],
    ];
    const { node, report } = run(rows, { 0: (c, s) => c.sell(s, 1000) }, 50);
    const e = Script.liquidations[0] as PositionLiquidated;
    expect(Script.liquidations.length).toBe(1);
    expect(formatFixed(e.price)).toBe('1.1');
    expect(formatFixed(e.realizedPnl)).toBe('-100');
    expect(formatFixed(e.fee)).toBe('0');
    expect(formatFixed(e.insuranceCovered)).toBe('80');
    // 100 − entry fee 1 − margin 20.
    expect(formatFixed(node.portfolio.cash())).toBe('79');
    expect(report.futures?.insuranceCovered).toBe('80');
  });

  it('cross margin: the whole wallet backs the position, so the same move that liquidates isolated does not', () => {
    const rows: [number, number, number, number][] = [
      [1, 1, 1, 1],
      [1, 1.05, 1, 1.05],
      [1.05, 1.05, 1.05, 1.05],
    ];
    // 1 000 short at 1, 50x. Isolated margin 20 does not survive +5 %; a 100 cross wallet does.
    run(rows, { 0: (c, s) => c.sell(s, 1000) }, 50, 'ISOLATED');
    expect(Script.liquidations.length).toBe(1);
    const { node } = run(rows, { 0: (c, s) => c.sell(s, 1000) }, 50, 'CROSS');
    expect(Script.liquidations.length).toBe(0);
    expect(formatFixed(node.portfolio.positionQty(SYMBOL))).toBe('-1000');
  });

  it('a liquidation cancels the open orders of the symbol first', () => {
    const rows: [number, number, number, number][] = [
      [1, 1, 1, 1],
      [1, 1, 0.9, 0.95],
    ];
    run(
      rows,
      { 0: (c, s) => (c.buy(s, 1000), c.sell(s, 1000, { price: 2, reduceOnly: true })) },
      20,
      'ISOLATED',
      100,
    );
    expect(Script.liquidations.length).toBe(1);
    const cancel = Script.events.find((e) => e.type === 'OrderCanceled');
    expect(cancel?.type === 'OrderCanceled' && cancel.reason).toBe('LIQUIDATION');
  });

  it('refuses a leverage above the instrument maximum with a code', () => {
    expect(() => run(FLAT, {}, 200)).toThrowError(/leverage must be a whole number from 1 to 125/);
  });
});
