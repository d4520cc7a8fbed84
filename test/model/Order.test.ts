import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { toFixed } from '../../src/core/Fixed.js';
import { isQtsError } from '../../src/core/QtsError.js';
import { OrderStatus } from '../../src/model/enums.js';
import type { OrderEvent } from '../../src/model/events.js';
import { Order, canTransition, isTerminal } from '../../src/model/Order.js';
import { ev, lastSeq, request } from './orderFixtures.js';

const fill = (qty: string | bigint, tradeId: string): OrderEvent =>
  ev({
    type: 'OrderFilled',
    tradeId,
    side: 'BUY',
    lastQty: typeof qty === 'string' ? toFixed(qty) : qty,
    lastPx: toFixed(100),
    fee: toFixed('0.1'),
    feeCurrency: 'USDT',
    liquidity: 'MAKER',
  } as never);

/** One event that moves an order into each status (fills sized for a 2-unit order). */
const INTO: Record<OrderStatus, (o?: Order) => OrderEvent> = {
  INITIALIZED: () => ev({ type: 'OrderInitialized', request } as never),
  DENIED: () => ev({ type: 'OrderDenied', code: 'ERR_X', reason: 'x' } as never),
  SUBMITTED: () => ev({ type: 'OrderSubmitted' } as never),
  ACCEPTED: () => ev({ type: 'OrderAccepted', venueOrderId: 'V1' } as never),
  REJECTED: () => ev({ type: 'OrderRejected', code: 'ERR_Y', reason: 'y' } as never),
  TRIGGERED: () => ev({ type: 'OrderTriggered' } as never),
  PARTIALLY_FILLED: () => fill('0.5', `T${lastSeq()}`),
  // Completes whatever is left, so it fills an untouched or a partly filled order alike.
  FILLED: (o) => fill(o && o.leavesQty > 0n ? o.leavesQty : toFixed(2), `T${lastSeq()}`),
  CANCELED: () => ev({ type: 'OrderCanceled', reason: 'user' } as never),
  EXPIRED: () => ev({ type: 'OrderExpired' } as never),
};

/** Shortest event path from INITIALIZED to each status. */
const PATH: Record<OrderStatus, OrderStatus[]> = {
  INITIALIZED: [],
  DENIED: ['DENIED'],
  SUBMITTED: ['SUBMITTED'],
  ACCEPTED: ['SUBMITTED', 'ACCEPTED'],
  REJECTED: ['SUBMITTED', 'REJECTED'],
  TRIGGERED: ['SUBMITTED', 'ACCEPTED', 'TRIGGERED'],
  PARTIALLY_FILLED: ['SUBMITTED', 'ACCEPTED', 'PARTIALLY_FILLED'],
  FILLED: ['SUBMITTED', 'ACCEPTED', 'FILLED'],
  CANCELED: ['SUBMITTED', 'ACCEPTED', 'CANCELED'],
  EXPIRED: ['SUBMITTED', 'ACCEPTED', 'EXPIRED'],
};

function orderAt(status: OrderStatus): Order {
  const o = new Order('O1', 's', request, 0);
  o.apply(INTO.INITIALIZED());
  for (const s of PATH[status]) o.apply(INTO[s](o));
  expect(o.status).toBe(status);
  return o;
}

const ALL = Object.values(OrderStatus);
const ALLOWED = new Set([
  'INITIALIZED>DENIED',
  'INITIALIZED>SUBMITTED',
  'SUBMITTED>ACCEPTED',
  'SUBMITTED>REJECTED',
  'SUBMITTED>PARTIALLY_FILLED',
  'SUBMITTED>FILLED',
  'SUBMITTED>CANCELED',
  'SUBMITTED>EXPIRED',
  'ACCEPTED>TRIGGERED',
  'ACCEPTED>PARTIALLY_FILLED',
  'ACCEPTED>FILLED',
  'ACCEPTED>CANCELED',
  'ACCEPTED>EXPIRED',
  'TRIGGERED>REJECTED',
  'TRIGGERED>PARTIALLY_FILLED',
  'TRIGGERED>FILLED',
  'TRIGGERED>CANCELED',
  'TRIGGERED>EXPIRED',
  'PARTIALLY_FILLED>PARTIALLY_FILLED',
  'PARTIALLY_FILLED>FILLED',
  'PARTIALLY_FILLED>CANCELED',
  'PARTIALLY_FILLED>EXPIRED',
]);

describe('Order state machine', () => {
  // Every (from, to) pair: 10 × 10 = 100 cases, each driven through a real Order.
  for (const from of ALL) {
    for (const to of ALL) {
      const allowed = ALLOWED.has(`${from}>${to}`);
      it(`${from} → ${to} is ${allowed ? 'allowed' : 'refused'}`, () => {
        expect(canTransition(from, to)).toBe(allowed);
        const o = orderAt(from);
        const before = { status: o.status, filled: o.filledQty, events: o.events.length };
        if (allowed) {
          o.apply(INTO[to](o));
          expect(o.status).toBe(to);
        } else {
          let err: unknown;
          try {
            o.apply(INTO[to](o));
          } catch (e) {
            err = e;
          }
          expect(isQtsError(err, 'ERR_ORDER_TRANSITION')).toBe(true);
          // A refused event changes nothing.
          expect({ status: o.status, filled: o.filledQty, events: o.events.length }).toEqual(before);
        }
      });
    }
  }

  it('terminal states are exactly the five end states', () => {
    expect(ALL.filter(isTerminal).sort()).toEqual(['CANCELED', 'DENIED', 'EXPIRED', 'FILLED', 'REJECTED']);
  });

  it('refuses overfills and duplicate trade ids, keeping state', () => {
    const o = orderAt('ACCEPTED');
    o.apply(fill('1.5', 'T-a'));
    expect(() => o.apply(fill('1', 'T-b'))).toThrowError(/exceeds/);
    expect(() => o.apply(fill('0.1', 'T-a'))).toThrowError(/already applied/);
    expect(o.filledQty).toBe(toFixed('1.5'));
    expect(o.status).toBe('PARTIALLY_FILLED');
    o.apply(fill('0.5', 'T-c'));
    expect(o.status).toBe('FILLED');
    expect(o.avgPx).toBe(toFixed(100));
  });

  it('refuses events of another order', () => {
    const o = orderAt('SUBMITTED');
    expect(() => o.apply({ ...INTO.ACCEPTED(), orderId: 'O2' })).toThrowError(/applied to O1/);
  });

  it('random event sequences never corrupt an order (property)', () => {
    const kinds = [...(Object.keys(INTO) as OrderStatus[]), 'CANCEL_REQUESTED' as const];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...kinds), { maxLength: 12 }), (steps) => {
        const o = new Order('O1', 's', request, 0);
        o.apply(INTO.INITIALIZED());
        let firstAsk: OrderEvent | undefined;
        for (const s of steps) {
          const before = o.status;
          const wasOpen = o.isOpen;
          const event = s === 'CANCEL_REQUESTED' ? cancelRequested() : INTO[s](o);
          try {
            o.apply(event);
            if (s === 'CANCEL_REQUESTED') firstAsk ??= event;
          } catch {
            expect(o.status).toBe(before);
            // Only an order at the venue may be asked to cancel.
            if (s === 'CANCEL_REQUESTED') expect(wasOpen).toBe(false);
          }
          // A cancel request never moves the status; it is remembered from the first ask on.
          if (s === 'CANCEL_REQUESTED') expect(o.status).toBe(before);
          expect(o.pendingCancel).toBe(firstAsk);
          expect(o.filledQty <= o.quantity).toBe(true);
          if (isTerminal(before)) expect(o.status).toBe(before);
        }
      }),
    );
  });
});

const cancelRequested = (reason = 'canceled via API by alice'): OrderEvent =>
  ev({ type: 'OrderCancelRequested', reason } as never);

describe('a cancel request (OrderCancelRequested)', () => {
  const OPEN = new Set<OrderStatus>(['SUBMITTED', 'ACCEPTED', 'TRIGGERED', 'PARTIALLY_FILLED']);

  // Every status: an order at the venue takes the request and keeps its status; any other
  // (not yet sent, or ended) refuses it and stays exactly as it was.
  for (const from of ALL) {
    it(`on ${from}: ${OPEN.has(from) ? 'kept as pending, status unchanged' : 'refused'}`, () => {
      const o = orderAt(from);
      const before = { status: o.status, filled: o.filledQty, events: o.events.length, at: o.updatedAt };
      const ask = cancelRequested();
      if (OPEN.has(from)) {
        o.apply(ask);
        expect([o.status, o.pendingCancel, o.events.length, o.updatedAt]).toEqual([
          from,
          ask,
          before.events + 1,
          ask.ts,
        ]);
      } else {
        let err: unknown;
        try {
          o.apply(ask);
        } catch (e) {
          err = e;
        }
        expect(isQtsError(err, 'ERR_ORDER_TRANSITION')).toBe(true);
        expect(o.pendingCancel).toBeUndefined();
        expect({ status: o.status, filled: o.filledQty, events: o.events.length, at: o.updatedAt }).toEqual(
          before,
        );
      }
    });
  }

  // The whole table again, from each open status with a cancel pending: the request changes
  // none of the moves (the venue may still fill, expire or reject the order before it cancels).
  for (const from of ALL.filter((s) => OPEN.has(s))) {
    for (const to of ALL) {
      const allowed = ALLOWED.has(`${from}>${to}`);
      it(`${from} with a cancel pending → ${to} is ${allowed ? 'allowed' : 'refused'}`, () => {
        const o = orderAt(from);
        const ask = cancelRequested();
        o.apply(ask);
        if (allowed) {
          o.apply(INTO[to](o));
          expect(o.status).toBe(to);
        } else {
          expect(() => o.apply(INTO[to](o))).toThrowError(/not allowed/);
          expect(o.status).toBe(from);
        }
        // The first ask stays on record, ended or not.
        expect(o.pendingCancel).toBe(ask);
      });
    }
  }

  it('a second ask keeps the first one (the intent dates from it)', () => {
    const o = orderAt('ACCEPTED');
    const first = cancelRequested('canceled by strategy');
    o.apply(first);
    o.apply(cancelRequested('kill switch (ops)'));
    expect([o.pendingCancel, o.status, o.events.length]).toEqual([first, 'ACCEPTED', 5]);
    o.apply(INTO.CANCELED());
    expect([o.status, o.reason]).toEqual(['CANCELED', 'user']);
  });
});
