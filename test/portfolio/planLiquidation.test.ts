import { describe, expect, it } from 'vitest';
import { ZERO, toFixed } from '../../src/core/Fixed.js';
import { MarginMode } from '../../src/model/MarginMode.js';
import { planLiquidation } from '../../src/portfolio/planLiquidation.js';

const f = toFixed;

// A cross account: long 1 bought at 1000 now at 900 (−100), short 2 sold at 100 closed at
// 110 (−20), 1% clearance fee.
const closes = [
  { symbol: 'A/USDT:USDT', qty: f(1), costBasis: f(1000), price: f(900), feeRate: f('0.01') },
  { symbol: 'B/USDT:USDT', qty: f(-2), costBasis: f(-200), price: f(110), feeRate: f('0.01') },
];

describe('planLiquidation', () => {
  it('realizes every close first, then takes each fee out of what is left, capped at it', () => {
    // 130 − 100 − 20 = 10 left: A's fee of 9 fits, B's 2.2 only to the 1 left.
    const plans = planLiquidation(MarginMode.CROSS, f(130), closes);
    expect(
      plans.map((p) => [p.symbol, p.side, p.positionQty, p.realizedPnl, p.fee, p.insuranceCovered]),
    ).toEqual([
      ['A/USDT:USDT', 'SELL', f(1), f(-100), f(9), ZERO],
      ['B/USDT:USDT', 'BUY', f(-2), f(-20), f(1), ZERO],
    ]);
    expect(plans.every((p) => p.mode === MarginMode.CROSS)).toBe(true);
  });

  it('charges no fee out of a deficit and books the deficit as insurance on the last close', () => {
    const plans = planLiquidation(MarginMode.CROSS, f(100), closes);
    expect(plans.map((p) => [p.fee, p.insuranceCovered])).toEqual([
      [ZERO, ZERO],
      [ZERO, f(20)],
    ]);
  });

  it('isolated: one position out of its own margin, closed at the given price', () => {
    const [plan, ...rest] = planLiquidation(MarginMode.ISOLATED, f(120), [closes[0]!]);
    expect(rest).toEqual([]);
    expect(plan).toEqual({
      symbol: 'A/USDT:USDT',
      mode: MarginMode.ISOLATED,
      side: 'SELL',
      positionQty: f(1),
      price: f(900),
      realizedPnl: f(-100),
      fee: f(9),
      insuranceCovered: ZERO,
    });
  });
});
