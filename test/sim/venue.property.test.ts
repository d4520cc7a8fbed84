import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Fixed } from '../../src/core/Fixed.js';
import { add, fromNumber, neg } from '../../src/core/Fixed.js';
import type { OrderSide, OrderType, TimeInForce } from '../../src/model/enums.js';
import type { Order } from '../../src/model/Order.js';
import { harness } from './harness.js';

const TYPES: OrderType[] = [
  'MARKET',
  'LIMIT',
  'STOP_MARKET',
  'STOP_LIMIT',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
  'TRAILING_STOP',
];

const arbOrder = fc.record({
  kind: fc.constant('order' as const),
  type: fc.constantFrom(...TYPES),
  side: fc.constantFrom<OrderSide>('BUY', 'SELL'),
  qty: fc.constantFrom('0.5', '1', '2', '3.5'),
  priceOff: fc.integer({ min: -8, max: 8 }),
  trigOff: fc.integer({ min: -8, max: 8 }),
  pct: fc.constantFrom('0.02', '0.05'),
  tif: fc.constantFrom<TimeInForce>('GTC', 'GTC', 'GTC', 'IOC', 'FOK'),
  postOnly: fc.boolean(),
  reduceOnly: fc.constantFrom(false, false, false, true),
  oco: fc.constantFrom(undefined, undefined, 'A', 'B', 'C'),
  parent: fc.option(fc.integer({ min: 1, max: 4 }), { freq: 3 }),
});
const arbBar = fc.record({
  kind: fc.constant('bar' as const),
  move: fc.integer({ min: -6, max: 6 }),
  body: fc.integer({ min: -6, max: 6 }),
  up: fc.integer({ min: 0, max: 6 }),
  down: fc.integer({ min: 0, max: 6 }),
  volume: fc.integer({ min: 0, max: 30 }),
});
const arbCancel = fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() });
const arbStep = fc.oneof(
  { arbitrary: arbBar, weight: 4 },
  { arbitrary: arbOrder, weight: 4 },
  { arbitrary: arbCancel, weight: 1 },
);

const arbScenario = fc.record({
  fillAt: fc.constantFrom<'close' | 'next-open'>('close', 'next-open'),
  intrabar: fc.constantFrom<'pessimistic' | 'ohlc' | 'adaptive'>('pessimistic', 'ohlc', 'adaptive'),
  volumeShare: fc.constantFrom(null, 0.3, 1),
  latencyMs: fc.constantFrom(0, 0, 30_000, 60_000),
  spot: fc.boolean(),
  cash: fc.constantFrom(300, 1_000_000),
  steps: fc.array(arbStep, { minLength: 1, maxLength: 80, size: 'large' }),
});

describe('SimulatedVenue properties', () => {
  it('over random bars and orders: no overfill, fills inside the bar, never before arrival, OCO exclusive, bracket legs within the parent, legal transitions', () => {
    fc.assert(
      fc.property(arbScenario, (sc) => {
        const h = harness({
          instrument: { symbol: sc.spot ? 'BTC/USDT' : 'BTC/USDT:USDT', tickSize: '0.5', lotSize: '0.1' },
          cash: sc.cash,
          position: sc.spot ? 20 : 0,
          config: {
            fillAt: sc.fillAt,
            intrabar: sc.intrabar,
            volumeShare: sc.volumeShare,
            latencyMs: sc.latencyMs,
          },
        });
        let range: [Fixed, Fixed] = [fromNumber(100), fromNumber(100)];
        const ocoFillers = new Map<string, Set<string>>();
        const submitted: Order[] = [];

        h.listeners.push((e, order) => {
          if (e.type !== 'OrderFilled') return;
          // Never more than the order's leaves, never at a price outside the bar being matched.
          expect(e.lastQty > 0n && e.lastQty <= order.leavesQty).toBe(true);
          expect(e.lastPx >= range[0] && e.lastPx <= range[1]).toBe(true);
          // Never before it reached the venue.
          expect(e.ts).toBeGreaterThanOrEqual(order.createdAt + sc.latencyMs);
          const req = order.request;
          if (req.parentId !== undefined) {
            // The legs of a bracket (same parent, same OCO group or none) close together
            // never more than the parent filled.
            const parent = h.orders.get(req.parentId);
            let legs = e.lastQty;
            for (const o of submitted)
              if (o.request.parentId === req.parentId && o.request.ocoGroup === req.ocoGroup)
                legs = add(legs, o.filledQty);
            expect(parent !== undefined && legs <= parent.filledQty).toBe(true);
          }
          if (req.reduceOnly) {
            const pos = h.funds.positionQty(h.inst.symbol);
            const room = req.side === 'BUY' ? neg(pos) : pos;
            expect(e.lastQty <= room).toBe(true);
          }
          if (req.ocoGroup !== undefined) {
            // One filler per group; the legs of one bracket count as one (they share the exit).
            const set = ocoFillers.get(req.ocoGroup) ?? new Set<string>();
            set.add(req.parentId === undefined ? order.id : `legs of ${req.parentId}`);
            ocoFillers.set(req.ocoGroup, set);
            expect(set.size).toBe(1);
          }
        });

        let close = 100;
        for (const step of sc.steps) {
          if (step.kind === 'bar') {
            const open = Math.max(10, close + step.move * 0.5);
            const c = Math.max(10, open + step.body * 0.5);
            const high = Math.max(open, c) + step.up * 0.5;
            const low = Math.max(1, Math.min(open, c) - step.down * 0.5);
            range = [fromNumber(low), fromNumber(high)];
            h.bar(open, high, low, c, step.volume);
            range = [fromNumber(c), fromNumber(c)];
            close = c;
          } else if (step.kind === 'cancel') {
            const open = h.venue.openOrders();
            const victim = open[step.pick % Math.max(1, open.length)];
            if (victim !== undefined) h.venue.cancel(victim, 'random');
          } else {
            const price = Math.max(1, close + step.priceOff * 0.5);
            const trigger = Math.max(1, close + step.trigOff * 0.5);
            // A bracket child names one of the last few orders (often the one just sent).
            const parent = step.parent === null ? undefined : submitted[submitted.length - step.parent];
            submitted.push(
              h.submit({
                side: step.side,
                type: step.type,
                qty: step.qty,
                price: step.type.endsWith('LIMIT') ? price : undefined,
                trigger:
                  step.type === 'MARKET' || step.type === 'LIMIT'
                    ? undefined
                    : step.type === 'TRAILING_STOP' && step.trigOff < 4
                      ? undefined
                      : trigger,
                trailingPct: step.type === 'TRAILING_STOP' ? step.pct : undefined,
                tif: step.tif,
                postOnly: step.postOnly && step.type.endsWith('LIMIT'),
                reduceOnly: step.reduceOnly,
                oco: step.oco,
                parent,
              }),
            );
          }
          if (sc.spot) {
            expect(h.funds.available('USDT') >= 0n).toBe(true);
            expect(h.funds.positionQty(h.inst.symbol) >= 0n).toBe(true);
          }
        }

        // The venue's book and the orders' own state agree.
        const open = new Set(h.venue.openOrders().map((o) => o.id));
        for (const o of submitted) {
          expect(o.filledQty <= o.quantity).toBe(true);
          expect(o.status).not.toBe('SUBMITTED');
          expect(open.has(o.id)).toBe(o.isOpen);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
