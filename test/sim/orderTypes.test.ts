import { describe, expect, it } from 'vitest';
import { formatFixed, mul } from '../../src/core/Fixed.js';
import { MIN, fx, harness } from './harness.js';

const px = (x: bigint): string => formatFixed(x as never);

describe('SimulatedVenue: market orders', () => {
  it('next-open: a market order submitted after a bar fills at the next open, as taker, at that bar time', () => {
    const h = harness();
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'BUY', qty: 2 });
    expect(h.types(o)).toEqual(['OrderAccepted']);
    expect(h.events.at(-1)?.ts).toBe(MIN);
    expect(h.fills()).toHaveLength(0);
    h.bar(101, 103, 100, 102);
    const [f] = h.fills(o);
    expect(px(f?.lastPx ?? 0n)).toBe('101');
    expect(f?.ts).toBe(MIN);
    expect(f?.liquidity).toBe('TAKER');
    expect(f?.fee).toBe(mul(fx(202), fx('0.002')));
    expect(f?.feeCurrency).toBe('USDT');
    expect(o.status).toBe('FILLED');
    expect(h.venue.openOrders()).toHaveLength(0);
  });

  it("fillAt 'close': a market order submitted while a bar is current fills at once at its close, at clock time", () => {
    const h = harness({ config: { fillAt: 'close' } });
    h.bar(100, 101, 99, 100.5);
    h.clock.advanceTo(MIN + 5);
    const o = h.submit({ side: 'BUY', qty: 1 });
    expect(h.types(o)).toEqual(['OrderAccepted', 'OrderFilled']);
    expect(px(h.fills(o)[0]?.lastPx ?? 0n)).toBe('100.5');
    expect(h.fills(o)[0]?.ts).toBe(MIN + 5);
  });

  it("fillAt 'close': a marketable limit fills at once at the close as taker; a crossed stop triggers at once", () => {
    const h = harness({ config: { fillAt: 'close' }, position: 1 });
    h.bar(100, 101, 99, 100);
    const limit = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 102 });
    expect(px(h.fills(limit)[0]?.lastPx ?? 0n)).toBe('100');
    expect(h.fills(limit)[0]?.liquidity).toBe('TAKER');
    const resting = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 99 });
    expect(h.types(resting)).toEqual(['OrderAccepted']);
    const stop = h.submit({ side: 'SELL', type: 'STOP_MARKET', qty: 1, trigger: 101 });
    expect(h.types(stop)).toEqual(['OrderAccepted', 'OrderTriggered', 'OrderFilled']);
    expect(px(h.fills(stop)[0]?.lastPx ?? 0n)).toBe('100');
  });

  it("fillAt 'close' with no bar yet waits for the first bar's open", () => {
    const h = harness({ config: { fillAt: 'close' } });
    const o = h.submit({ side: 'BUY', qty: 1 });
    expect(h.fills(o)).toHaveLength(0);
    h.bar(100, 101, 99, 100);
    expect(px(h.fills(o)[0]?.lastPx ?? 0n)).toBe('100');
  });
});

describe('SimulatedVenue: limit orders', () => {
  it('fills at its price when the bar touches it, as maker', () => {
    const h = harness();
    h.bar(100, 101, 99.5, 100);
    const o = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 99 });
    h.bar(100, 100.5, 99.2, 100); // low above 99: untouched
    expect(h.fills(o)).toHaveLength(0);
    expect(h.venue.openOrders('BTC/USDT')).toEqual([o]);
    h.bar(100, 101, 98, 100);
    const [f] = h.fills(o);
    expect(px(f?.lastPx ?? 0n)).toBe('99');
    expect(f?.liquidity).toBe('MAKER');
    expect(f?.fee).toBe(mul(fx(99), fx('0.001')));
  });

  it('fills at the open, a better price, when the bar gaps through it', () => {
    const h = harness();
    h.bar(100, 101, 99.5, 100);
    const buy = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 99 });
    const sell = h.submit({ side: 'SELL', type: 'LIMIT', qty: 1, price: 90, reduceOnly: false });
    expect(h.types(sell)).toEqual(['OrderRejected']); // spot: nothing to sell
    h.bar(97, 98, 96, 97.5);
    expect(px(h.fills(buy)[0]?.lastPx ?? 0n)).toBe('97');
    expect(h.fills(buy)[0]?.liquidity).toBe('MAKER');
  });

  it('touching the limit exactly counts as a fill', () => {
    const h = harness();
    h.bar(100, 101, 99.5, 100);
    const o = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: '99.37' });
    h.bar(100, 100, 99.37, 99.9);
    expect(px(h.fills(o)[0]?.lastPx ?? 0n)).toBe('99.37');
  });

  it('a limit that crossed the last price on arrival takes liquidity on its first fill', () => {
    const h = harness();
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 102 });
    h.bar(100.5, 101, 100, 100.5);
    const [f] = h.fills(o);
    expect(px(f?.lastPx ?? 0n)).toBe('100.5');
    expect(f?.liquidity).toBe('TAKER');
  });
});

describe('SimulatedVenue: stop orders', () => {
  it('STOP_MARKET sell triggers when the price falls to the trigger and fills there', () => {
    const h = harness({ position: 1 });
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'SELL', type: 'STOP_MARKET', qty: 1, trigger: 95 });
    h.bar(100, 102, 96, 97);
    expect(h.types(o)).toEqual(['OrderAccepted']);
    h.bar(97, 98, 94, 96);
    expect(h.types(o)).toEqual(['OrderAccepted', 'OrderTriggered', 'OrderFilled']);
    expect(px(h.fills(o)[0]?.lastPx ?? 0n)).toBe('95');
    expect(h.fills(o)[0]?.liquidity).toBe('TAKER');
  });

  it('STOP_MARKET fills at the open, a worse price, when the bar gaps through the trigger', () => {
    const h = harness({ position: 1 });
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'SELL', type: 'STOP_MARKET', qty: 1, trigger: 95 });
    h.bar(93, 94, 90, 92);
    expect(px(h.fills(o)[0]?.lastPx ?? 0n)).toBe('93');
  });

  it('STOP_MARKET buy triggers on the way up', () => {
    const h = harness();
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'BUY', type: 'STOP_MARKET', qty: 1, trigger: 105 });
    h.bar(100, 104, 90, 95);
    expect(h.fills(o)).toHaveLength(0);
    h.bar(100, 106, 99, 105);
    expect(px(h.fills(o)[0]?.lastPx ?? 0n)).toBe('105');
  });

  it('STOP_LIMIT triggers, then works as a limit at its price', () => {
    const h = harness();
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'BUY', type: 'STOP_LIMIT', qty: 1, trigger: 105, price: 106 });
    h.bar(100, 107, 99, 106);
    expect(h.types(o)).toEqual(['OrderAccepted', 'OrderTriggered', 'OrderFilled']);
    expect(px(h.fills(o)[0]?.lastPx ?? 0n)).toBe('105');
    expect(h.fills(o)[0]?.liquidity).toBe('TAKER');
  });

  it('STOP_LIMIT gapped above its limit rests after the trigger and fills when the price comes back', () => {
    const h = harness();
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'BUY', type: 'STOP_LIMIT', qty: 1, trigger: 105, price: 106 });
    // Buy walk (pessimistic): 108 → 110 → 104 → 105; triggered at the open, limit 106 met on the way down.
    h.bar(108, 110, 104, 105);
    expect(h.types(o)).toEqual(['OrderAccepted', 'OrderTriggered', 'OrderFilled']);
    expect(px(h.fills(o)[0]?.lastPx ?? 0n)).toBe('106');
    expect(h.fills(o)[0]?.liquidity).toBe('MAKER');
  });

  it('STOP_LIMIT triggered but never back to its limit stays open as TRIGGERED', () => {
    const h = harness();
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'BUY', type: 'STOP_LIMIT', qty: 1, trigger: 105, price: 106 });
    h.bar(108, 110, 107, 109);
    expect(o.status).toBe('TRIGGERED');
    h.bar(109, 109, 105.5, 106);
    expect(o.status).toBe('FILLED');
    expect(px(h.fills(o)[0]?.lastPx ?? 0n)).toBe('106');
  });
});

describe('SimulatedVenue: take-profit orders', () => {
  it('TAKE_PROFIT sell triggers at or above the trigger and fills there', () => {
    const h = harness({ position: 1 });
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'SELL', type: 'TAKE_PROFIT', qty: 1, trigger: 110 });
    h.bar(100, 105, 80, 90); // a fall does not trigger a sell take-profit
    expect(h.fills(o)).toHaveLength(0);
    h.bar(100, 111, 99, 108);
    expect(h.types(o)).toEqual(['OrderAccepted', 'OrderTriggered', 'OrderFilled']);
    expect(px(h.fills(o)[0]?.lastPx ?? 0n)).toBe('110');
  });

  it('TAKE_PROFIT sell gapped above the trigger fills at the better open', () => {
    const h = harness({ position: 1 });
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'SELL', type: 'TAKE_PROFIT', qty: 1, trigger: 110 });
    h.bar(112, 113, 111, 112);
    expect(px(h.fills(o)[0]?.lastPx ?? 0n)).toBe('112');
  });

  it('TAKE_PROFIT buy (closing a short) triggers at or below the trigger', () => {
    const h = harness({ instrument: { symbol: 'BTC/USDT:USDT' }, position: -1 });
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'BUY', type: 'TAKE_PROFIT', qty: 1, trigger: 90, symbol: 'BTC/USDT:USDT' });
    h.bar(100, 120, 95, 110);
    expect(h.fills(o)).toHaveLength(0);
    h.bar(100, 101, 89, 95);
    expect(px(h.fills(o)[0]?.lastPx ?? 0n)).toBe('90');
  });

  it('TAKE_PROFIT_LIMIT triggers and then fills as a limit at its price or better', () => {
    const h = harness({ position: 1 });
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'SELL', type: 'TAKE_PROFIT_LIMIT', qty: 1, trigger: 110, price: '109.5' });
    h.bar(100, 111, 99, 105);
    expect(h.types(o)).toEqual(['OrderAccepted', 'OrderTriggered', 'OrderFilled']);
    expect(px(h.fills(o)[0]?.lastPx ?? 0n)).toBe('110');
  });
});

describe('SimulatedVenue: trailing stops', () => {
  it('a sell trailing stop ratchets up with new highs, never down, and fills at highest × (1 − pct)', () => {
    const h = harness({ position: 1 });
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'SELL', type: 'TRAILING_STOP', qty: 1, trailingPct: '0.1' });
    h.bar(100, 120, 100, 118); // new high 120 → trigger 108
    h.bar(118, 119, 109, 110); // falls to 109: above 108, no fill
    expect(h.fills(o)).toHaveLength(0);
    h.bar(110, 111, 100, 101); // the trigger did not follow the price down: fills at 108
    expect(h.types(o)).toEqual(['OrderAccepted', 'OrderTriggered', 'OrderFilled']);
    expect(px(h.fills(o)[0]?.lastPx ?? 0n)).toBe('108');
  });

  it('a sell trailing stop raised inside a bar fires on the same bar when it falls back', () => {
    const h = harness({ position: 1 });
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'SELL', type: 'TRAILING_STOP', qty: 1, trailingPct: '0.05' });
    // Sell walk: 100 → 99 → 120 → 110: the high of 120 lifts the trigger to 114, the close at 110 crosses it.
    h.bar(100, 120, 99, 110);
    expect(px(h.fills(o)[0]?.lastPx ?? 0n)).toBe('114');
  });

  it('a buy trailing stop follows the lowest price seen, rounded to the tick away from the market', () => {
    const h = harness({ instrument: { symbol: 'BTC/USDT:USDT' }, position: -1 });
    h.bar(100, 101, 99, 100);
    const o = h.submit({
      side: 'BUY',
      type: 'TRAILING_STOP',
      qty: 1,
      trailingPct: '0.03',
      symbol: 'BTC/USDT:USDT',
    });
    h.bar(100, 100, 90.13, 91); // low 90.13 → trigger 92.8339 → 92.84
    h.bar(91, 92.83, 90.5, 92);
    expect(h.fills(o)).toHaveLength(0);
    h.bar(92, 93, 91, 92.5);
    expect(px(h.fills(o)[0]?.lastPx ?? 0n)).toBe('92.84');
  });
});
