/**
 * Amend on the order state machine: which statuses take each amend event, the quantity
 * rules, one amend in flight at a time, and that terms change only on the venue's answer.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Fixed } from '../../src/core/Fixed.js';
import { toFixed } from '../../src/core/Fixed.js';
import { OrderStatus } from '../../src/model/enums.js';
import type { OrderEvent } from '../../src/model/events.js';
import { Order } from '../../src/model/Order.js';
import { lastAmendOutcome } from '../../src/model/OrderAmend.js';
import { ev, lastSeq, request } from './orderFixtures.js';

const fill = (qty: Fixed): OrderEvent =>
  ev({
    type: 'OrderFilled',
    tradeId: `T${lastSeq()}`,
    side: 'BUY',
    lastQty: qty,
    lastPx: toFixed(100),
    fee: toFixed(0),
    feeCurrency: 'USDT',
    liquidity: 'MAKER',
  });
const requested = (price?: Fixed, quantity?: Fixed): OrderEvent =>
  ev({ type: 'OrderAmendRequested', price, quantity, reason: 'test' });
const amended = (o: Order, price: Fixed | undefined, quantity: Fixed): OrderEvent =>
  ev({
    type: 'OrderAmended',
    price,
    quantity,
    previousPrice: o.request.price,
    previousQuantity: o.request.quantity,
    reason: 'test',
  });
const rejected = (): OrderEvent => ev({ type: 'OrderAmendRejected', code: 'ERR_X', reason: 'no' });

/** Events leading to each status (fills sized for a 2-unit order). */
const PATH: Record<OrderStatus, () => OrderEvent[]> = {
  INITIALIZED: () => [],
  DENIED: () => [ev({ type: 'OrderDenied', code: 'ERR_D', reason: 'd' })],
  SUBMITTED: () => [ev({ type: 'OrderSubmitted' })],
  ACCEPTED: () => [ev({ type: 'OrderSubmitted' }), ev({ type: 'OrderAccepted', venueOrderId: 'V' })],
  REJECTED: () => [ev({ type: 'OrderSubmitted' }), ev({ type: 'OrderRejected', code: 'ERR_R', reason: 'r' })],
  TRIGGERED: () => [...PATH.ACCEPTED(), ev({ type: 'OrderTriggered' })],
  PARTIALLY_FILLED: () => [...PATH.ACCEPTED(), fill(toFixed('0.5'))],
  FILLED: () => [...PATH.ACCEPTED(), fill(toFixed(2))],
  CANCELED: () => [...PATH.ACCEPTED(), ev({ type: 'OrderCanceled', reason: 'c' })],
  EXPIRED: () => [...PATH.ACCEPTED(), ev({ type: 'OrderExpired' })],
};

function orderAt(status: OrderStatus): Order {
  const o = new Order('O1', 's', request, 0);
  o.apply(ev({ type: 'OrderInitialized', request }));
  for (const e of PATH[status]()) o.apply(e);
  expect(o.status).toBe(status);
  return o;
}

function codeOf(f: () => void): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
}

const ALL = Object.values(OrderStatus);
const AMENDABLE: OrderStatus[] = ['ACCEPTED', 'PARTIALLY_FILLED'];

describe('amend transitions (every status)', () => {
  it.each(ALL)('%s: a request and a confirmation only on a resting order; status never changes', (status) => {
    const o = orderAt(status);
    const ok = AMENDABLE.includes(status);
    expect(codeOf(() => o.apply(requested(toFixed(99))))).toBe(ok ? undefined : 'ERR_AMEND_NOT_OPEN');
    expect(o.status).toBe(status);
    expect(o.request.price).toBe(toFixed(100));
    const o2 = orderAt(status);
    expect(codeOf(() => o2.apply(amended(o2, toFixed(98), toFixed('1.5'))))).toBe(
      ok ? undefined : 'ERR_AMEND_NOT_OPEN',
    );
    expect(o2.status).toBe(status);
    expect(o2.request.price).toBe(ok ? toFixed(98) : toFixed(100));
    expect(o2.quantity).toBe(ok ? toFixed('1.5') : toFixed(2));
  });

  it.each(ALL)(
    '%s: a refusal is taken after submission, keeps the terms and clears the pending amend',
    (status) => {
      const o = orderAt(status);
      const err = codeOf(() => o.apply(rejected()));
      expect(err).toBe(status === 'INITIALIZED' ? 'ERR_ORDER_TRANSITION' : undefined);
      expect([o.status, o.quantity, o.request.price, o.pendingAmend]).toEqual([
        status,
        toFixed(2),
        toFixed(100),
        undefined,
      ]);
    },
  );
});

describe('amend rules', () => {
  it('keeps the old terms until the venue confirms; one amend at a time', () => {
    const o = orderAt('ACCEPTED');
    o.apply(requested(toFixed(95), toFixed(1)));
    expect([o.request.price, o.quantity, lastAmendOutcome(o.events)]).toEqual([
      toFixed(100),
      toFixed(2),
      { status: 'PENDING' },
    ]);
    expect(codeOf(() => o.apply(requested(toFixed(94))))).toBe('ERR_AMEND_PENDING');
    o.apply(amended(o, toFixed(95), toFixed(1)));
    expect([o.request.price, o.quantity, o.pendingAmend, lastAmendOutcome(o.events)]).toEqual([
      toFixed(95),
      toFixed(1),
      undefined,
      { status: 'AMENDED' },
    ]);
    o.apply(requested(toFixed(96)));
    o.apply(rejected());
    expect([o.request.price, lastAmendOutcome(o.events)]).toEqual([
      toFixed(95),
      { status: 'REJECTED', code: 'ERR_X', reason: 'no' },
    ]);
  });

  it('refuses raising the quantity, going to or below the filled part, empty and priceless amends', () => {
    const o = orderAt('PARTIALLY_FILLED'); // 0.5 of 2 filled
    expect(codeOf(() => o.apply(requested(undefined, toFixed(3))))).toBe('ERR_AMEND_QUANTITY');
    expect(codeOf(() => o.apply(requested(undefined, toFixed('0.5'))))).toBe('ERR_AMEND_BELOW_FILLED');
    expect(codeOf(() => o.apply(requested(undefined, toFixed('0.4'))))).toBe('ERR_AMEND_BELOW_FILLED');
    expect(codeOf(() => o.apply(requested()))).toBe('ERR_AMEND_INVALID');
    expect(codeOf(() => o.apply(requested(toFixed(0))))).toBe('ERR_AMEND_INVALID');
    const m = new Order('O1', 's', { ...request, type: 'MARKET', price: undefined }, 0);
    m.apply(ev({ type: 'OrderInitialized', request: m.request }));
    for (const e of PATH.ACCEPTED()) m.apply(e);
    expect(codeOf(() => m.apply(requested(toFixed(99))))).toBe('ERR_AMEND_INVALID');
    // None of the refusals touched the order.
    expect([o.quantity, o.pendingAmend, o.events.length]).toEqual([toFixed(2), undefined, 4]);
  });

  it('after a lower quantity, a fill of the rest fills the order; a fill beyond it is an overfill', () => {
    const o = orderAt('PARTIALLY_FILLED');
    o.apply(amended(o, undefined, toFixed(1)));
    expect(codeOf(() => o.apply(fill(toFixed('0.6'))))).toBe('ERR_OVERFILL');
    o.apply(fill(toFixed('0.5')));
    expect(o.status).toBe('FILLED');
  });

  it('property: any mix of fills and amends keeps filled ≤ quantity, quantity never rises, status matches', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('fill' as const), n: fc.integer({ min: 1, max: 100 }) }),
      fc.record({
        kind: fc.constant('amend' as const),
        n: fc.integer({ min: 0, max: 120 }),
        px: fc.integer({ min: 0, max: 200 }),
      }),
      fc.record({ kind: fc.constant('request' as const), n: fc.integer({ min: 0, max: 120 }) }),
      fc.record({ kind: fc.constant('reject' as const) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        const o = new Order('O1', 's', { ...request, quantity: toFixed(100) }, 0);
        o.apply(ev({ type: 'OrderInitialized', request: o.request }));
        for (const e of PATH.ACCEPTED()) o.apply(e);
        for (const s of steps) {
          const before = { q: o.quantity, f: o.filledQty, status: o.status, n: o.events.length };
          let e: OrderEvent;
          if (s.kind === 'fill') e = fill(toFixed(s.n));
          else if (s.kind === 'amend') e = amended(o, s.px === 0 ? undefined : toFixed(s.px), toFixed(s.n));
          else if (s.kind === 'request') e = requested(undefined, toFixed(s.n));
          else e = rejected();
          try {
            o.apply(e);
          } catch {
            // A refused event leaves the order exactly as it was.
            expect([o.quantity, o.filledQty, o.status, o.events.length]).toEqual([
              before.q,
              before.f,
              before.status,
              before.n,
            ]);
          }
          expect(o.quantity <= before.q).toBe(true);
          expect(o.filledQty <= o.quantity).toBe(true);
          if (o.status === 'FILLED') expect(o.filledQty).toBe(o.quantity);
          if (o.status === 'PARTIALLY_FILLED') expect(o.filledQty < o.quantity).toBe(true);
        }
      }),
    );
  });
});
