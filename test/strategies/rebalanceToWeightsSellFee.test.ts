/**
 * rebalanceToWeights' whole-position exit (a symbol whose target is zero) where the venue takes
 * a sell's fee in the base coin (feeSide 'base'): it sold every coin held, which the venue
 * refused for want of coins on every step, so the rebalance never ended. It now sells what is
 * held less the fee (ctx.sell → sellableWithFee), and the dust left ends the exit rather than
 * a sell no venue can fill on every later step. A real TradingNode on the SimulatedVenue.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatFixed } from '../../src/core/Fixed.js';
import type { Bar } from '../../src/model/Bar.js';
import type { FeeSide } from '../../src/model/Instrument.js';
import type { RebalanceStatus } from '../../src/strategies/rebalanceToWeights.js';
import { rebalanceToWeights } from '../../src/strategies/rebalanceToWeights.js';
import { Strategy } from '../../src/strategy/Strategy.js';
import { minuteBar, simNode } from '../node/support/simNode.js';

const SYMBOL = 'BTC/USDT';

/** Half the equity in BTC on the first bar, `later` from the third on; records each step. */
class HalfThenNone extends Strategy<Record<string, never>> {
  static readonly id = 'half-then-none';
  static readonly description = 'test strategy';
  static readonly paramsSchema = z.object({});
  static steps: RebalanceStatus[] = [];
  /** The weight of BTC from the third bar on (0: sell out). */
  static later = 0;
  private bars = 0;
  override onBar(_b: Bar): void {
    this.bars += 1;
    const target = new Map(this.bars < 3 ? [[SYMBOL, 0.5]] : [[SYMBOL, HalfThenNone.later]]);
    HalfThenNone.steps.push(rebalanceToWeights(this.ctx, [SYMBOL], target));
  }
}

/** Six bars closing at 100 USDT; orders fill at the next close (lot 0.0001, 0.1 % fees, 10 000 USDT). */
function run(feeSide: FeeSide, later = 0) {
  HalfThenNone.steps = [];
  HalfThenNone.later = later;
  const { node, feed } = simNode({ feeSide });
  node.registerFeed(SYMBOL, '1m');
  node.addStrategy({ id: 'rb', strategyClass: HalfThenNone, params: {}, symbols: [SYMBOL], timeframe: '1m' });
  node.start();
  for (let i = 0; i < 6; i++) feed(minuteBar(i, 100, 100, 100, 100));
  return {
    steps: HalfThenNone.steps,
    counts: node.oms.orderCounts(),
    held: formatFixed(node.portfolio.positionQty(SYMBOL)),
  };
}

describe('rebalanceToWeights: selling out of a symbol whose sell pays its fee in the base coin', () => {
  it("feeSide 'base': the exit fills less the fee, and the dust left ends the rebalance", () => {
    const r = run('base');
    expect(r.counts).toMatchObject({ filled: 2, rejected: 0, denied: 0 });
    expect(r.steps).toEqual(['pending', 'done', 'pending', 'done', 'done', 'done']);
    // Bought 50, 0.05 of it paid as fee: 49.95 held; 49.95 / 1.001 floored to the lot = 49.9,
    // whose fee 0.0499 leaves 0.0001: one lot, yet no sell can take it (it needs 0.0001001).
    expect(r.held).toBe('0.0001');
  });

  it("feeSide 'base': a target under the fee's share of the holding sells at most what a sell can take", () => {
    // Weight 0.00001: 0.001 BTC to keep out of 49.95, less than the 0.0499 the sell's fee
    // needs. Selling 49.949 would need 49.998949 coins: the sell is capped at 49.9.
    const r = run('base', 0.00001);
    expect(r.counts).toMatchObject({ filled: 2, rejected: 0, denied: 0 });
    expect(r.held).toBe('0.0001');
  });

  it("feeSide 'quote': the exit sells everything held, as before", () => {
    const r = run('quote');
    expect(r.counts).toMatchObject({ filled: 2, rejected: 0, denied: 0 });
    expect(r.steps).toEqual(['pending', 'done', 'pending', 'done', 'done', 'done']);
    expect(r.held).toBe('0');
  });
});
