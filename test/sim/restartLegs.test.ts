/**
 * Shadow restart of a bracket whose legs closed part of the position before the stop: a
 * take-profit filled 0.4 of the entry's 1 and was canceled, the stop-loss guards the other
 * 0.6. After the restart only the stop-loss is adopted (open orders come back), yet it must
 * still guard 0.6, not the whole entry: the venue reads the closed leg's fills from the journal.
 */
import { describe, expect, it } from 'vitest';
import type { Order } from '../../src/model/Order.js';
import { fx, harness } from './harness.js';

/** A long of 1 from a bracket entry; the take-profit closes `tpFills` bars' share of it, then is canceled. */
function beforeRestart(tpVolume: number) {
  // Each leg may take at most 40% of a bar's volume: the take-profit fills part of the 1.
  const h = harness({ config: { volumeShare: 0.4 } });
  h.bar(100, 101, 99, 100, 10);
  const entry = h.submit({ side: 'BUY', qty: 1 });
  const leg = { oco: 'B', parent: entry } as const;
  const sl = h.submit({ side: 'SELL', type: 'STOP_MARKET', qty: 1, trigger: 95, ...leg });
  const tp = h.submit({ side: 'SELL', type: 'LIMIT', qty: 1, price: 110, ...leg });
  h.bar(100, 101, 99, 100, 10);
  expect(entry.status).toBe('FILLED');
  h.bar(105, 111, 104, 106, tpVolume);
  h.venue.cancel(tp, 'user');
  expect(tp.status).toBe('CANCELED');
  return { h, entry, sl, tp };
}

function restart(before: ReturnType<typeof beforeRestart>, journal: Map<string, Order>, held: number) {
  const after = harness({
    config: { volumeShare: 0.4 },
    cash: 0,
    position: held,
    lookup: (id) => journal.get(id),
    childrenOf: (parentId) =>
      [...journal.values()].filter((o) => o.request.parentId === parentId).map((o) => o.id),
  });
  after.orders.set(before.sl.id, before.sl);
  after.venue.adopt(before.sl);
  return after;
}

describe('SimulatedVenue restart: a restored bracket leg counts its closed siblings', () => {
  it('the stop-loss sells the 0.6 left, not the 1 the entry bought', () => {
    const before = beforeRestart(1);
    expect(before.tp.filledQty).toBe(fx(0.4));
    const after = restart(before, before.h.orders, 0.6);
    expect(after.venue.openOrders().map((o) => o.id)).toEqual([before.sl.id]);
    after.bar(100, 100, 90, 92, 10);
    expect(after.fills(before.sl).map((f) => f.lastQty)).toEqual([fx(0.6)]);
    expect(after.funds.positionQty(after.inst.symbol)).toBe(0n);
  });

  it('a sibling that closed without a fill leaves the whole entry to guard', () => {
    const before = beforeRestart(0);
    expect(before.tp.filledQty).toBe(0n);
    const after = restart(before, before.h.orders, 1);
    after.bar(100, 100, 90, 92, 10);
    expect(after.fills(before.sl).map((f) => f.lastQty)).toEqual([fx(1)]);
  });
});
