import { describe, expect, it } from 'vitest';
import { formatFixed } from '../../src/core/Fixed.js';
import type { OrderCanceled } from '../../src/model/events.js';
import type { Order } from '../../src/model/Order.js';
import { MIN, harness } from './harness.js';

const px = (x: bigint | undefined): string => formatFixed((x ?? -1n) as never);

function cancelReason(h: ReturnType<typeof harness>, o: Order): string | undefined {
  return h.events.find((e): e is OrderCanceled => e.type === 'OrderCanceled' && e.orderId === o.id)?.reason;
}

/**
 * With latency, the prices between submit and arrival are history by the time the order gets
 * there: whether it crosses the book is decided by the last of them, not by the price it was
 * sent at (a real exchange checks the book it meets).
 */
describe('SimulatedVenue: an order meets the book as it is when it arrives, not as it was sent', () => {
  it('a post-only limit the market fell through while it was in flight is refused, not filled as a maker', () => {
    const h = harness({ config: { latencyMs: MIN } });
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 99, postOnly: true }); // arrives at 120s
    h.bar(100, 100, 95, 96); // in flight: closes at 96, through the 99 bid
    expect(h.types(o)).toEqual(['OrderAccepted']);
    h.bar(97, 98, 95, 96);
    expect(h.fills(o)).toHaveLength(0);
    expect(cancelReason(h, o)).toBe('ERR_POST_ONLY_WOULD_TAKE');
    expect(h.events.at(-1)?.ts).toBe(2 * MIN); // refused where it arrived
  });

  it('refused even when the next open is back above it: the book it met on arrival was crossed', () => {
    const h = harness({ config: { latencyMs: MIN } });
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 99, postOnly: true });
    h.bar(100, 100, 95, 96);
    h.bar(100, 101, 98, 100);
    expect(h.fills(o)).toHaveLength(0);
    expect(cancelReason(h, o)).toBe('ERR_POST_ONLY_WOULD_TAKE');
  });

  it('a plain limit crossed on arrival takes liquidity at the first price after it', () => {
    const h = harness({ config: { latencyMs: MIN } });
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 99 });
    h.bar(100, 100, 95, 96);
    h.bar(96, 97, 95, 96);
    const [f] = h.fills(o);
    expect(px(f?.lastPx)).toBe('96');
    expect(f?.liquidity).toBe('TAKER');
  });

  it('a limit the market moved away from while in flight rests and fills as a maker', () => {
    const h = harness({ config: { latencyMs: MIN } });
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 101, postOnly: false }); // crosses when sent
    h.bar(100, 106, 100, 105); // in flight: closes at 105, above the bid
    h.bar(105, 105, 100, 102); // falls to it: a resting bid, filled at its price
    const [f] = h.fills(o);
    expect(px(f?.lastPx)).toBe('101');
    expect(f?.liquidity).toBe('MAKER');
  });

  it('shadow trade prints: the prints before arrival decide, post-only refused, plain limit takes', () => {
    const h = harness({ config: { latencyMs: 500 } });
    const trade = (ts: number, price: number) =>
      h.venue.processTrade({ symbol: 'BTC/USDT', ts, id: `t${ts}`, price, amount: 5, side: 'SELL' });
    trade(1_000, 100);
    h.clock.advanceTo(1_000);
    const post = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 99.5, postOnly: true });
    const plain = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 99.5 });
    trade(1_200, 99); // before their arrival at 1500: the book is at 99 when they get there
    trade(1_600, 98.5);
    expect(h.fills(post)).toHaveLength(0);
    expect(cancelReason(h, post)).toBe('ERR_POST_ONLY_WOULD_TAKE');
    expect(h.fills(plain)[0]?.liquidity).toBe('TAKER');
  });
});

describe('SimulatedVenue: an order taken back after a restart is not arriving anew', () => {
  it('with latency, a print through an adopted post-only bid fills it as a maker, it is not refused', () => {
    const before = harness({ config: { latencyMs: 500 } });
    before.venue.processTrade({
      symbol: 'BTC/USDT',
      ts: 1_000,
      id: 'a',
      price: 100,
      amount: 5,
      side: 'SELL',
    });
    before.clock.advanceTo(1_000);
    const o = before.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 99.5, postOnly: true });

    const after = harness({ config: { latencyMs: 500 } });
    after.venue.processTrade({ symbol: 'BTC/USDT', ts: 5_000, id: 'b', price: 100, amount: 5, side: 'SELL' });
    after.clock.advanceTo(5_000);
    after.orders.set(o.id, o);
    after.venue.adopt(o);
    after.venue.processTrade({ symbol: 'BTC/USDT', ts: 5_200, id: 'c', price: 99, amount: 5, side: 'SELL' });
    after.venue.processTrade({
      symbol: 'BTC/USDT',
      ts: 5_600,
      id: 'd',
      price: 99.2,
      amount: 5,
      side: 'SELL',
    });
    expect(after.fills(o).map((f) => [f.liquidity, px(f.lastPx)])).toEqual([['MAKER', '99.2']]);
  });
});

describe('SimulatedVenue: a bracket child that reaches the venue after its entry filled', () => {
  it('works on the rest of that bar from its arrival, not only from the next bar', () => {
    const h = harness({ instrument: { symbol: 'BTC/USDT:USDT' }, config: { latencyMs: 30_000 } });
    const symbol = 'BTC/USDT:USDT';
    h.bar(100, 101, 99, 100);
    const parent = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 99, symbol }); // arrives at 90s
    h.bar(100, 101, 99.5, 100); // not touched
    // Sent at 120s, the stop arrives at 150s: path time 1.5 of the next bar.
    const sl = h.submit({
      side: 'SELL',
      type: 'STOP_MARKET',
      qty: 1,
      trigger: 95,
      parent,
      reduceOnly: true,
      symbol,
    });
    // The entry fills at the open (99); the stop then takes the sell walk 99 → 80 → 99 → 82,
    // which at 150s is halfway back up from 80 (89.5), below its trigger: it fires on arrival.
    h.bar(99, 99, 80, 82);
    expect(parent.status).toBe('FILLED');
    const [f] = h.fills(sl);
    expect(px(f?.lastPx)).toBe('89.5');
    expect(f?.ts).toBe(150_000);
    expect(h.funds.positionQty(symbol)).toBe(0n);
  });
});
