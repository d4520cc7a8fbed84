/**
 * ctx.closePosition and ctx.sell(symbol) of a long spot position where the venue takes a sell's
 * fee in the base coin (feeSide 'base', or 'give'): the venue needs the quantity plus its fee in
 * coins, so closing every coin held was refused for want of coins, every time. They now sell
 * what is held less the fee, floored to the lot; the dust left counts as flat. A real
 * TradingNode on the SimulatedVenue, bar by bar.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatFixed } from '../../src/core/Fixed.js';
import type { Bar } from '../../src/model/Bar.js';
import type { FeeSide } from '../../src/model/Instrument.js';
import type { OrderView } from '../../src/model/OrderView.js';
import { Strategy } from '../../src/strategy/Strategy.js';
import { minuteBar, simNode } from './support/simNode.js';

const SYMBOL = 'BTC/USDT';

/** Buys 1 BTC on the first bar, exits on the second (closePosition or sell), looks on the third. */
class Exiter extends Strategy<Record<string, never>> {
  static readonly id = 'exiter';
  static readonly description = 'test strategy';
  static readonly paramsSchema = z.object({});
  static verb: 'close' | 'sell' = 'close';
  static exit: OrderView | undefined;
  static after = '';
  private bars = 0;
  override onBar(_b: Bar): void {
    this.bars += 1;
    if (this.bars === 1) this.ctx.buy(SYMBOL, 1);
    if (this.bars === 2)
      Exiter.exit = Exiter.verb === 'close' ? this.ctx.closePosition(SYMBOL) : this.ctx.sell(SYMBOL);
    if (this.bars === 3) {
      const p = this.ctx.position(SYMBOL);
      Exiter.after = `${formatFixed(p.qty)} flat=${p.isFlat} long=${p.isLong}`;
    }
  }
}

/** Fills at each bar's close of 100 USDT (tick 0.01, lot 0.0001, 0.1 % fees, 10 000 USDT). */
function run(feeSide: FeeSide, verb: 'close' | 'sell') {
  Exiter.verb = verb;
  Exiter.exit = undefined;
  Exiter.after = '';
  const { node, feed } = simNode({ feeSide });
  node.registerFeed(SYMBOL, '1m');
  node.addStrategy({ id: 'exit', strategyClass: Exiter, params: {}, symbols: [SYMBOL], timeframe: '1m' });
  node.start();
  for (let i = 0; i < 3; i++) feed(minuteBar(i, 100, 100, 100, 100));
  const exit = Exiter.exit as OrderView | undefined;
  return {
    exit: exit === undefined ? 'none' : `${exit.status} ${exit.side} ${formatFixed(exit.request.quantity)}`,
    reduceOnly: exit?.request.reduceOnly,
    after: Exiter.after,
  };
}

describe('closing a long whose sell pays its fee in the base coin', () => {
  it("feeSide 'base': closePosition sells what is held less the sell's fee, and fills", () => {
    // Buy 1, its fee 0.001 BTC taken from it: 0.999 held. 0.999 / 1.001 = 0.99800..., floored
    // to the lot: 0.998, whose fee 0.000998 BTC the 0.001 left covers; 0.000002 of dust stays.
    expect(run('base', 'close')).toEqual({
      exit: 'FILLED SELL 0.998',
      reduceOnly: true,
      after: '0.000002 flat=true long=false',
    });
  });

  it("feeSide 'give': the buy pays in USDT, the close pays in the coin given, and fills", () => {
    // 1 held; 1 / 1.001 floored = 0.999, fee 0.000999 BTC: 0.000001 left.
    expect(run('give', 'close')).toEqual({
      exit: 'FILLED SELL 0.999',
      reduceOnly: true,
      after: '0.000001 flat=true long=false',
    });
  });

  it('ctx.sell(symbol) without a quantity sells the same amount', () => {
    expect(run('base', 'sell')).toEqual({
      exit: 'FILLED SELL 0.998',
      reduceOnly: false,
      after: '0.000002 flat=true long=false',
    });
  });

  it("feeSide 'quote' and 'get' close everything held, as before", () => {
    expect(run('quote', 'close')).toEqual({
      exit: 'FILLED SELL 1',
      reduceOnly: true,
      after: '0 flat=true long=false',
    });
    // 'get': the buy's fee came out of the coins bought (0.999 held), the sell's is in USDT.
    expect(run('get', 'close')).toEqual({
      exit: 'FILLED SELL 0.999',
      reduceOnly: true,
      after: '0 flat=true long=false',
    });
    expect(run('get', 'sell')).toEqual({
      exit: 'FILLED SELL 0.999',
      reduceOnly: false,
      after: '0 flat=true long=false',
    });
  });
});
