import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatFixed, toFixed } from '../../src/core/Fixed.js';
import { TestClock } from '../../src/kernel/Clock.js';
import type { Bar } from '../../src/model/Bar.js';
import type { FeeSide } from '../../src/model/Instrument.js';
import { makeInstrument } from '../../src/model/Instrument.js';
import { TradingNode } from '../../src/node/TradingNode.js';
import { parseSizing } from '../../src/portfolio/Sizer.js';
import { DEFAULT_FILL_MODEL, SimulatedVenue } from '../../src/sim/SimulatedVenue.js';
import { followLongFlat } from '../../src/strategy/followLongFlat.js';
import { Strategy } from '../../src/strategy/Strategy.js';

const MIN = 60_000;
const SYMBOL = 'XRP/ETH';

/** Long on even bars, flat on odd ones, through the shared long/flat helper; records what it sees. */
class Flipper extends Strategy<Record<string, never>> {
  static readonly id = 'flipper';
  static readonly description = 'test strategy';
  static readonly paramsSchema = z.object({});
  static seen: string[] = [];
  override onBar(b: Bar): void {
    const pos = this.ctx.position(SYMBOL);
    Flipper.seen.push(`${formatFixed(pos.qty)} flat=${pos.isFlat} long=${pos.isLong}`);
    followLongFlat(this.ctx, SYMBOL, (b.ts / MIN) % 2 === 0 ? 'long' : 'flat');
  }
}

/** Whole-coin lots and 0.1 % fees, like XRP/ETH on Binance; the fee taken per `feeSide`. */
function run(feeSide: FeeSide, bars: number, sizing = 'fixed:100') {
  Flipper.seen = [];
  const clock = new TestClock(0);
  const node = new TradingNode({
    clock,
    instruments: [makeInstrument({ symbol: SYMBOL, tickSize: '0.00000001', lotSize: '1', feeSide })],
    currency: 'ETH',
    initialCash: { ETH: 1 },
    sizing: parseSizing(sizing, toFixed(1)),
  });
  const venue = new SimulatedVenue({
    clock,
    instrument: (s) => node.instrument(s),
    funds: node.portfolio,
    config: { ...DEFAULT_FILL_MODEL, fillAt: 'close' },
  });
  node.registerFeed(SYMBOL, '1m');
  node.addStrategy({ id: 'flip', strategyClass: Flipper, params: {}, symbols: [SYMBOL], timeframe: '1m' });
  const orders: string[] = [];
  const sink = node.connect(venue);
  venue.setSink((e) => {
    if (e.type === 'OrderFilled') orders.push(`${e.side} ${formatFixed(e.lastQty)}`);
    sink(e);
  });
  node.start();
  for (let i = 0; i < bars; i++) {
    const b: Bar = {
      symbol: SYMBOL,
      timeframe: '1m',
      ts: i * MIN,
      open: 0.0003,
      high: 0.0003,
      low: 0.0003,
      close: 0.0003,
      volume: 1e6,
      closed: true,
    };
    clock.advanceTo(b.ts + MIN);
    venue.processBar(b);
    node.onBar(b);
  }
  return { orders, seen: Flipper.seen, held: formatFixed(node.portfolio.positionQty(SYMBOL)) };
}

describe('a position of less than one lot counts as flat', () => {
  it('fees taken from the coin bought leave dust; a long/flat strategy still trades every signal', () => {
    const { orders, seen, held } = run('get', 6);
    // Buy 100 → 99.9 held → sell the 99 whole lots → 0.9 of dust, flat → buy again: 100.8 →
    // sell 100 → 0.8 → … → 0.7 at the end.
    expect(orders).toEqual(['BUY 100', 'SELL 99', 'BUY 100', 'SELL 100', 'BUY 100', 'SELL 100']);
    expect(seen[2]).toBe('0.9 flat=true long=false');
    expect(seen[1]).toBe('99.9 flat=false long=true');
    expect(held).toBe('0.7');
  });

  it("a long too small to sell once the sell's fee in the coin is kept back counts as flat", () => {
    // feeSide 'give': one lot bought is 1 XRP held, but selling it needs 1.001: no sell can
    // take it, so it is flat and the next long signal buys again (it was long for good, its
    // every exit refused). Two held: 2 / 1.001 floored = 1 is sold, 0.999 left; bought up to
    // 1.999, 1 is sold again: 0.998.
    const { orders, seen, held } = run('give', 6, 'fixed:1');
    expect(orders).toEqual(['BUY 1', 'BUY 1', 'SELL 1', 'BUY 1', 'SELL 1']);
    expect(seen.slice(0, 4)).toEqual([
      '0 flat=true long=false',
      '1 flat=true long=false',
      '1 flat=true long=false',
      '2 flat=false long=true',
    ]);
    expect(held).toBe('0.998');
  });

  it('with fees in quote nothing changes: whole lots, flat only at zero', () => {
    const { orders, seen, held } = run('quote', 4);
    expect(orders).toEqual(['BUY 100', 'SELL 100', 'BUY 100', 'SELL 100']);
    expect(seen).toEqual([
      '0 flat=true long=false',
      '100 flat=false long=true',
      '0 flat=true long=false',
      '100 flat=false long=true',
    ]);
    expect(held).toBe('0');
  });
});
