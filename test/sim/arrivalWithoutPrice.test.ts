/**
 * An order that reaches the venue before any price of its symbol is known (a strategy's
 * onStart, a timer before the first bar, shadow mode before the first trade) cannot be checked
 * against the book on arrival. The venue checks it against the first price it sees, before
 * any matching, as an exchange would have on arrival: crossing there, it takes liquidity, and
 * a post-only one is refused (Binance's LIMIT_MAKER) instead of filling as a maker.
 */
import { describe, expect, it } from 'vitest';
import type { OrderCanceled } from '../../src/model/events.js';
import { SimReason } from '../../src/sim/SimReason.js';
import { fx, harness } from './harness.js';

describe('SimulatedVenue: an order that arrives before any price', () => {
  it('a post-only limit the first price is already through is refused, never filled as a maker', () => {
    const h = harness();
    const o = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 100, postOnly: true });
    expect(h.types(o)).toEqual(['OrderAccepted']);
    // The market opens at 99: a buy at 100 would have crossed the ask on arrival.
    h.bar(99, 101, 98, 100);
    expect(h.fills(o)).toEqual([]);
    expect(o.status).toBe('CANCELED');
    const canceled = h.events.find((e): e is OrderCanceled => e.type === 'OrderCanceled');
    expect(canceled?.reason).toBe(SimReason.POST_ONLY_WOULD_TAKE);
  });

  it('a post-only limit away from the first price rests and fills as a maker at its price', () => {
    const h = harness();
    const o = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 98, postOnly: true });
    h.bar(100, 101, 97, 100);
    expect(h.fills(o).map((f) => [f.liquidity, f.lastPx])).toEqual([['MAKER', fx(98)]]);
  });

  it('a plain limit the first price is through takes liquidity there', () => {
    const h = harness();
    const o = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 100 });
    h.bar(99, 101, 98, 100);
    expect(h.fills(o).map((f) => [f.liquidity, f.lastPx])).toEqual([['TAKER', fx(99)]]);
  });

  it('an order taken back after a restart rested before it: a gap through it is a maker fill', () => {
    const before = harness();
    before.bar(100, 101, 99, 100);
    const o = before.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 98, postOnly: true });
    expect(o.status).toBe('ACCEPTED');

    const after = harness();
    after.orders.set(o.id, o);
    after.venue.adopt(o);
    after.bar(97, 99, 96, 98);
    expect(after.fills(o).map((f) => [f.liquidity, f.lastPx])).toEqual([['MAKER', fx(97)]]);
  });
});
