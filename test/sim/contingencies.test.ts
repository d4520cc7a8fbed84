import { describe, expect, it } from 'vitest';
import { formatFixed } from '../../src/core/Fixed.js';
import type { OrderCanceled, OrderRejected } from '../../src/model/events.js';
import type { Order } from '../../src/model/Order.js';
import { harness } from './harness.js';

const px = (x: bigint | undefined): string => formatFixed((x ?? -1n) as never);
const PERP = { instrument: { symbol: 'BTC/USDT:USDT' } };

function cancelReason(h: ReturnType<typeof harness>, o: Order): string | undefined {
  return h.events.find((e): e is OrderCanceled => e.type === 'OrderCanceled' && e.orderId === o.id)?.reason;
}
function rejectCode(h: ReturnType<typeof harness>, o: Order): string | undefined {
  return h.events.find((e): e is OrderRejected => e.type === 'OrderRejected' && e.orderId === o.id)?.code;
}

describe('SimulatedVenue: time in force', () => {
  it('IOC fills what the arrival bar allows and cancels the rest', () => {
    const h = harness({ config: { volumeShare: 0.5 } });
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 100, tif: 'IOC' });
    h.bar(100, 101, 99, 100, 1);
    expect(h.types(o)).toEqual(['OrderAccepted', 'OrderFilled', 'OrderCanceled']);
    expect(px(h.fills(o)[0]?.lastQty)).toBe('0.5');
    expect(cancelReason(h, o)).toBe('IOC_REMAINDER');
  });

  it('IOC not marketable on arrival is canceled even if the bar reaches its price later', () => {
    const h = harness();
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 99, tif: 'IOC' });
    h.bar(100, 101, 95, 97);
    expect(h.fills(o)).toHaveLength(0);
    expect(o.status).toBe('CANCELED');
  });

  it('FOK that cannot fill entirely on arrival is canceled with nothing filled', () => {
    const h = harness({ config: { volumeShare: 0.5 } });
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'BUY', qty: 1, tif: 'FOK' });
    h.bar(100, 101, 99, 100, 1);
    expect(h.types(o)).toEqual(['OrderAccepted', 'OrderCanceled']);
    expect(cancelReason(h, o)).toBe('FOK_NOT_FILLABLE');
    expect(o.filledQty).toBe(0n);
  });

  it('FOK with enough volume fills entirely', () => {
    const h = harness({ config: { volumeShare: 0.5 } });
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'BUY', qty: 1, tif: 'FOK' });
    h.bar(100, 101, 99, 100, 10);
    expect(o.status).toBe('FILLED');
    expect(h.fills(o)).toHaveLength(1);
  });
});

describe('SimulatedVenue: post-only and reduce-only', () => {
  it('a post-only limit that would take liquidity is rejected', () => {
    const h = harness();
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 100, postOnly: true });
    expect(h.types(o)).toEqual(['OrderRejected']);
    expect(rejectCode(h, o)).toBe('ERR_POST_ONLY_WOULD_TAKE');
  });

  it('a post-only limit below the market rests and fills as maker', () => {
    const h = harness();
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 99, postOnly: true });
    h.bar(100, 101, 98, 100);
    expect(h.fills(o)[0]?.liquidity).toBe('MAKER');
  });

  it('post-only on a market order is not a valid order', () => {
    const h = harness();
    const o = h.submit({ side: 'BUY', qty: 1, postOnly: true });
    expect(rejectCode(h, o)).toBe('ERR_INVALID_ORDER');
  });

  it('a reduce-only order that would open or grow a position is rejected', () => {
    const h = harness({ ...PERP, position: 1 });
    h.bar(100, 101, 99, 100);
    expect(rejectCode(h, h.submit({ side: 'BUY', qty: 1, reduceOnly: true }))).toBe('ERR_REDUCE_ONLY');
    const flat = harness(PERP);
    expect(rejectCode(flat, flat.submit({ side: 'SELL', qty: 1, reduceOnly: true }))).toBe('ERR_REDUCE_ONLY');
  });

  it('a reduce-only fill is capped at the position and the rest canceled: it never flips', () => {
    const h = harness({ ...PERP, position: 1 });
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'SELL', qty: 3, reduceOnly: true });
    expect(h.types(o)).toEqual(['OrderAccepted']);
    h.bar(100, 101, 99, 100);
    expect(h.types(o)).toEqual(['OrderAccepted', 'OrderFilled', 'OrderCanceled']);
    expect(px(h.fills(o)[0]?.lastQty)).toBe('1');
    expect(cancelReason(h, o)).toBe('ERR_REDUCE_ONLY');
    expect(h.funds.positionQty(h.inst.symbol)).toBe(0n);
  });

  it('a reduce-only order whose position closed meanwhile is canceled at fill time', () => {
    const h = harness({ ...PERP, position: 1 });
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'SELL', type: 'LIMIT', qty: 1, price: 110, reduceOnly: true });
    h.funds.setPosition(h.inst.symbol, 0);
    h.bar(100, 111, 99, 105);
    expect(h.fills(o)).toHaveLength(0);
    expect(cancelReason(h, o)).toBe('ERR_REDUCE_ONLY');
  });
});

describe('SimulatedVenue: OCO groups', () => {
  /** A long of 1 protected by a stop at 95 and a take-profit at 110; one bar touches both. */
  function bothTouched(intrabar: 'pessimistic' | 'ohlc' | 'adaptive', bar: [number, number, number, number]) {
    const h = harness({ position: 1, config: { intrabar } });
    h.bar(100, 101, 99, 100);
    const sl = h.submit({ side: 'SELL', type: 'STOP_MARKET', qty: 1, trigger: 95, oco: 'X' });
    const tp = h.submit({ side: 'SELL', type: 'LIMIT', qty: 1, price: 110, oco: 'X' });
    h.bar(...bar);
    return { h, sl, tp };
  }

  it('pessimistic: when both legs are touched in one bar, the stop-loss fills and the take-profit is canceled', () => {
    const { h, sl, tp } = bothTouched('pessimistic', [100, 112, 90, 100]);
    expect(sl.status).toBe('FILLED');
    expect(px(h.fills(sl)[0]?.lastPx)).toBe('95');
    expect(tp.status).toBe('CANCELED');
    expect(cancelReason(h, tp)).toBe('OCO_SIBLING_FILLED');
  });

  it("'ohlc': the high comes first, so the take-profit wins", () => {
    const { sl, tp } = bothTouched('ohlc', [100, 112, 90, 100]);
    expect(tp.status).toBe('FILLED');
    expect(sl.status).toBe('CANCELED');
  });

  it("'adaptive': a down bar went up first (take-profit wins), an up bar went down first (stop wins)", () => {
    const down = bothTouched('adaptive', [100, 112, 90, 99]);
    expect(down.tp.status).toBe('FILLED');
    expect(down.sl.status).toBe('CANCELED');
    const up = bothTouched('adaptive', [100, 112, 90, 101]);
    expect(up.sl.status).toBe('FILLED');
    expect(up.tp.status).toBe('CANCELED');
  });

  it('a partial fill cancels the siblings and the filler keeps filling on later bars', () => {
    const h = harness({ position: 2, config: { volumeShare: 0.1 } });
    h.bar(100, 101, 99, 100);
    const a = h.submit({ side: 'SELL', type: 'LIMIT', qty: 2, price: 105, oco: 'G' });
    const b = h.submit({ side: 'SELL', type: 'STOP_MARKET', qty: 2, trigger: 90, oco: 'G' });
    h.bar(100, 106, 99, 104, 10);
    expect(px(a.filledQty)).toBe('1');
    expect(b.status).toBe('CANCELED');
    h.bar(104, 107, 80, 85, 10);
    expect(a.status).toBe('FILLED');
    expect(h.fills(b)).toHaveLength(0);
  });

  it('a member submitted after its group already filled is canceled on arrival', () => {
    const h = harness({ position: 2 });
    h.bar(100, 101, 99, 100);
    h.submit({ side: 'SELL', qty: 1, oco: 'Z' });
    h.bar(100, 101, 99, 100);
    const late = h.submit({ side: 'SELL', type: 'LIMIT', qty: 1, price: 150, oco: 'Z' });
    expect(h.types(late)).toEqual(['OrderAccepted', 'OrderCanceled']);
  });
});

describe('SimulatedVenue: brackets', () => {
  function bracket(h: ReturnType<typeof harness>, entry: Parameters<typeof h.submit>[0], qty = 1) {
    const parent = h.submit(entry);
    const sl = h.submit({
      side: 'SELL',
      type: 'STOP_MARKET',
      qty,
      trigger: 95,
      oco: 'B',
      parent,
      reduceOnly: true,
    });
    const tp = h.submit({ side: 'SELL', type: 'LIMIT', qty, price: 110, oco: 'B', parent, reduceOnly: true });
    return { parent, sl, tp };
  }

  it('children are accepted at once but inactive until the parent fills', () => {
    const h = harness(PERP);
    h.bar(100, 101, 99, 100);
    const { sl, tp } = bracket(h, { side: 'BUY', type: 'LIMIT', qty: 1, price: 80 });
    expect(h.types(sl)).toEqual(['OrderAccepted']);
    expect(h.types(tp)).toEqual(['OrderAccepted']);
    h.bar(100, 112, 90, 100); // both children's levels touched, parent not: nothing happens
    expect(h.fills()).toHaveLength(0);
    expect(h.venue.openOrders()).toHaveLength(3);
  });

  it('a market entry activates the children at the open; the pessimistic walk then stops out', () => {
    const h = harness(PERP);
    h.bar(100, 101, 99, 100);
    const { parent, sl, tp } = bracket(h, { side: 'BUY', qty: 1 });
    h.bar(100, 112, 90, 100);
    expect(parent.status).toBe('FILLED');
    expect(sl.status).toBe('FILLED');
    expect(tp.status).toBe('CANCELED');
    expect(h.funds.positionQty(h.inst.symbol)).toBe(0n);
  });

  it('a child activated mid-bar continues on the rest of the walk: entry on the way down, then the stop', () => {
    const h = harness(PERP);
    h.bar(100, 101, 99, 100);
    const { parent, sl, tp } = bracket(h, { side: 'BUY', type: 'LIMIT', qty: 1, price: 97 });
    // Buy walk: 100 → 101 → 90 → 92: the entry fills at 97 going down, the stop at 95 right after.
    h.bar(100, 101, 90, 92);
    expect(parent.status).toBe('FILLED');
    expect(px(h.fills(sl)[0]?.lastPx)).toBe('95');
    expect(tp.status).toBe('CANCELED');
  });

  it('partial parent fill: children can fill only up to what the parent filled', () => {
    const h = harness({ ...PERP, config: { volumeShare: 0.1 } });
    h.bar(100, 101, 99, 100);
    const { parent, sl, tp } = bracket(h, { side: 'BUY', qty: 3 }, 3);
    h.bar(100, 101, 99, 100, 10); // parent fills 1 of 3
    expect(px(parent.filledQty)).toBe('1');
    h.bar(100, 112, 99, 111, 100); // parent +3 capped to 2 left; take-profit capped by volume (10)…
    expect(parent.status).toBe('FILLED');
    expect(px(tp.filledQty)).toBe('3');
    expect(sl.status).toBe('CANCELED');
    // At every moment the child never exceeded the parent's filled quantity.
    let parentFilled = 0n;
    let childFilled = 0n;
    for (const e of h.events) {
      if (e.type !== 'OrderFilled') continue;
      if (e.orderId === parent.id) parentFilled += e.lastQty;
      else childFilled += e.lastQty;
      expect(childFilled <= parentFilled).toBe(true);
    }
  });

  it('a child limited by a partial parent stops at the parent quantity once the parent is canceled', () => {
    const h = harness({ ...PERP, config: { volumeShare: 0.1 } });
    h.bar(100, 101, 99, 100);
    const { parent, tp } = bracket(h, { side: 'BUY', qty: 3 }, 3);
    h.bar(100, 101, 99, 100, 10);
    h.venue.cancel(parent, 'user');
    expect(tp.status).toBe('ACCEPTED');
    h.bar(100, 112, 99, 111, 100);
    expect(px(tp.filledQty)).toBe('1');
    expect(tp.status).toBe('CANCELED');
    expect(cancelReason(h, tp)).toBe('PARENT_FILLED_LESS');
  });

  it('a take-profit that partly filled leaves the stop-loss guarding the rest of the position', () => {
    const h = harness({ ...PERP, config: { volumeShare: 0.1 } });
    h.bar(100, 101, 99, 100);
    const { parent, sl, tp } = bracket(h, { side: 'BUY', qty: 3 }, 3);
    h.bar(100, 101, 99, 100, 100); // the entry fills all 3
    expect(parent.status).toBe('FILLED');
    h.bar(100, 111, 99, 105, 10); // the take-profit is touched but may fill 1 of the bar's 10
    expect(px(tp.filledQty)).toBe('1');
    expect(sl.status).toBe('ACCEPTED');
    h.bar(105, 106, 60, 62, 1_000); // a crash through the stop: it sells the 2 left, not 3
    expect(px(sl.filledQty)).toBe('2');
    expect(px(h.fills(sl)[0]?.lastPx)).toBe('95');
    expect(h.funds.positionQty(h.inst.symbol)).toBe(0n);
    expect(cancelReason(h, tp)).toBe('OCO_SIBLING_FILLED');
    expect(h.venue.openOrders()).toHaveLength(0);
  });

  it('an entry that keeps filling after its take-profit closed part of it stays guarded by the stop', () => {
    const h = harness({ ...PERP, config: { volumeShare: 0.1 } });
    h.bar(100, 101, 99, 100);
    const { parent, sl, tp } = bracket(h, { side: 'BUY', qty: 3 }, 3);
    h.bar(100, 111, 99, 105, 10); // entry 1 at the open, then the take-profit closes that 1
    expect(px(tp.filledQty)).toBe('1');
    expect(sl.isOpen).toBe(true);
    h.bar(105, 106, 100, 104, 10); // entry +1
    h.bar(104, 105, 100, 103, 10); // entry +1: 2 held, guarded by both legs
    expect(parent.status).toBe('FILLED');
    expect(h.funds.positionQty(h.inst.symbol)).toBe(2n * 10n ** 16n);
    h.bar(103, 104, 60, 62, 1_000);
    expect(px(sl.filledQty)).toBe('2');
    expect(h.funds.positionQty(h.inst.symbol)).toBe(0n);
  });

  it('children of one entry without an OCO group close together no more than the entry filled', () => {
    const h = harness({ ...PERP, config: { volumeShare: 0.1 } });
    h.bar(100, 101, 99, 100);
    const parent = h.submit({ side: 'BUY', qty: 2 });
    const a = h.submit({ side: 'SELL', type: 'LIMIT', qty: 1, price: 105, parent });
    const b = h.submit({ side: 'SELL', type: 'LIMIT', qty: 1, price: 106, parent });
    h.bar(100, 101, 99, 100, 10); // the entry fills 1 of 2
    h.venue.cancel(parent, 'user');
    h.bar(100, 110, 99, 108, 100); // both limits touched: only the 1 bought is sold
    expect(px(a.filledQty)).toBe('1');
    expect(h.fills(b)).toHaveLength(0);
    expect(cancelReason(h, b)).toBe('OCO_SIBLING_FILLED');
    expect(h.funds.positionQty(h.inst.symbol)).toBe(0n); // never flipped short
  });

  it('parent canceled with nothing filled cancels its children', () => {
    const h = harness(PERP);
    h.bar(100, 101, 99, 100);
    const { parent, sl, tp } = bracket(h, { side: 'BUY', type: 'LIMIT', qty: 1, price: 80 });
    h.venue.cancel(parent, 'strategy changed its mind');
    expect(cancelReason(h, parent)).toBe('strategy changed its mind');
    expect(cancelReason(h, sl)).toBe('PARENT_CANCELED');
    expect(cancelReason(h, tp)).toBe('PARENT_CANCELED');
    expect(h.venue.openOrders()).toHaveLength(0);
  });

  it('children of a parent that filled on submit (cheat-on-close) are active right away', () => {
    const h = harness({ ...PERP, config: { fillAt: 'close' } });
    h.bar(100, 101, 99, 100);
    const { parent, sl } = bracket(h, { side: 'BUY', qty: 1 });
    expect(parent.status).toBe('FILLED');
    h.bar(100, 101, 94, 96);
    expect(px(h.fills(sl)[0]?.lastPx)).toBe('95');
  });

  it('children of a rejected parent are accepted and canceled at once', () => {
    const h = harness(PERP);
    const refused = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 1, symbol: 'ETH/USDT' });
    expect(rejectCode(h, refused)).toBe('ERR_UNKNOWN_INSTRUMENT');
    const child = h.submit({ side: 'SELL', type: 'LIMIT', qty: 1, price: 110, parent: refused });
    expect(h.types(child)).toEqual(['OrderAccepted', 'OrderCanceled']);
    expect(cancelReason(h, child)).toBe('PARENT_CANCELED');
  });

  it('a child naming a parent the venue never saw is rejected', () => {
    const h = harness(PERP);
    const other = harness(PERP);
    other.submit({ side: 'BUY', qty: 1 });
    const stranger = other.submit({ side: 'BUY', qty: 1 }); // "O2": h has no such order
    const child = h.submit({ side: 'SELL', type: 'LIMIT', qty: 1, price: 110, parent: stranger });
    expect(rejectCode(h, child)).toBe('ERR_UNKNOWN_PARENT');
  });
});

describe('SimulatedVenue: restart (shadow mode adopts the open orders of the journal)', () => {
  /** A long of 1 whose bracket entry filled before the restart; its children still rest. */
  function beforeRestart() {
    const h = harness(PERP);
    h.bar(100, 101, 99, 100);
    const parent = h.submit({ side: 'BUY', qty: 1 });
    const child = { oco: 'R', parent, reduceOnly: true } as const;
    const sl = h.submit({ side: 'SELL', type: 'STOP_MARKET', qty: 1, trigger: 95, ...child });
    const tp = h.submit({ side: 'SELL', type: 'LIMIT', qty: 1, price: 110, ...child });
    h.bar(100, 101, 99, 100);
    expect(parent.status).toBe('FILLED');
    return { h, sl, tp };
  }

  function restart(before: ReturnType<typeof beforeRestart>, lookup: boolean) {
    const after = harness({
      ...PERP,
      position: 1,
      ...(lookup ? { lookup: (id: string) => before.h.orders.get(id) } : {}),
    });
    after.bar(100, 101, 99, 100);
    for (const o of [before.sl, before.tp]) {
      after.orders.set(o.id, o);
      after.venue.adopt(o);
    }
    return after;
  }

  it('bracket children whose entry filled before the restart rest again and still stop the position out', () => {
    const before = beforeRestart();
    const after = restart(before, true);
    expect(after.venue.openOrders().map((o) => o.id)).toEqual([before.sl.id, before.tp.id]);
    after.bar(100, 101, 90, 92);
    expect(px(after.fills(before.sl)[0]?.lastPx)).toBe('95');
    expect(cancelReason(after, before.tp)).toBe('OCO_SIBLING_FILLED');
    expect(after.funds.positionQty(after.inst.symbol)).toBe(0n);
  });

  it('without the journal such children cannot be restored and are canceled, saying why', () => {
    const before = beforeRestart();
    const after = restart(before, false);
    expect(after.venue.openOrders()).toHaveLength(0);
    expect(cancelReason(after, before.sl)).toMatch(/^not restorable after restart: parent .* is unknown/);
  });
});

describe('SimulatedVenue: cancel', () => {
  it('cancels an open order once; unknown or closed orders are ignored without throwing', () => {
    const h = harness();
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 90 });
    h.venue.cancel(o, 'user');
    h.venue.cancel(o, 'again');
    expect(h.types(o)).toEqual(['OrderAccepted', 'OrderCanceled']);
    const filled = h.submit({ side: 'BUY', qty: 1 });
    h.bar(100, 101, 99, 100);
    expect(() => h.venue.cancel(filled, 'late')).not.toThrow();
    expect(h.types(filled)).toEqual(['OrderAccepted', 'OrderFilled']);
  });
});

describe('SimulatedVenue: a strategy reacting inside the report sink', () => {
  it('may submit and cancel while a bar is being matched; new close orders trade at that bar close', () => {
    const h = harness({ config: { fillAt: 'close' } });
    h.bar(100, 101, 99, 100);
    const entry = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 98 });
    const other = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 90 });
    let exit: Order | undefined;
    h.reactions.push((e) => {
      if (e.type !== 'OrderFilled' || e.orderId !== entry.id) return;
      h.venue.cancel(other, 'entry done');
      exit = h.submit({ side: 'SELL', type: 'LIMIT', qty: 1, price: 97 });
    });
    h.bar(100, 100, 89, 97.5); // entry fills at 98 on the way down; "other" would have filled at 90
    expect(entry.status).toBe('FILLED');
    expect(cancelReason(h, other)).toBe('entry done');
    expect(h.fills(other)).toHaveLength(0);
    // The exit arrived during the bar: it is matched at that bar's close (97.5 ≥ 97), not inside it.
    expect(exit?.status).toBe('FILLED');
    expect(px(exit === undefined ? undefined : h.fills(exit)[0]?.lastPx)).toBe('97.5');
  });
});
