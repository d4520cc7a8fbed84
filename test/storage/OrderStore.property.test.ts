import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Fixed } from '../../src/core/Fixed.js';
import { ONE, ZERO, mulDiv } from '../../src/core/Fixed.js';
import { Liquidity, OrderType, TimeInForce } from '../../src/model/enums.js';
import type { OrderStatus } from '../../src/model/enums.js';
import type { OrderEvent } from '../../src/model/events.js';
import { Order } from '../../src/model/Order.js';
import type { OrderRequest } from '../../src/model/OrderRequest.js';
import { OrderStore } from '../../src/storage/sqlite/OrderStore.js';
import { tempDb } from './tempDb.js';

const t = tempDb('order-prop');
afterAll(() => t.remove());

/** Any positive amount with up to 16 decimals, up to 10^8 whole units. */
const amount = fc.bigInt({ min: 1n, max: 10n ** 24n }).map((b) => b as Fixed);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

const requestArb: fc.Arbitrary<OrderRequest> = fc.record({
  symbol: fc.constantFrom('BTC/USDT', 'ETH/BTC', 'XRP/USDT:USDT'),
  side: fc.constantFrom('BUY' as const, 'SELL' as const),
  type: fc.constantFrom(...Object.values(OrderType)),
  quantity: amount,
  price: maybe(amount),
  triggerPrice: maybe(amount),
  trailingPct: maybe(fc.bigInt({ min: 1n, max: ONE }).map((b) => b as Fixed)),
  timeInForce: fc.constantFrom(...Object.values(TimeInForce)),
  postOnly: fc.boolean(),
  reduceOnly: fc.boolean(),
  ocoGroup: maybe(fc.string()),
  parentId: maybe(fc.string()),
  tag: maybe(fc.string({ unit: 'grapheme' })),
});

/** One step of the script: which allowed event to take, and the values it needs. */
const stepArb = fc.record({
  pick: fc.nat(),
  percent: fc.integer({ min: 1, max: 100 }),
  px: amount,
  fee: fc.bigInt({ min: 0n, max: 10n ** 18n }).map((b) => b as Fixed),
  dt: fc.double({ min: 0, max: 1e6, noNaN: true }),
  text: fc.string({ unit: 'grapheme' }),
  liquidity: fc.constantFrom(...Object.values(Liquidity)),
});

/**
 * Event types each status may take (Order's transition table, fills split by size later; a
 * cancel request, which keeps the status, on any order at the venue).
 */
const NEXT: Record<OrderStatus, readonly OrderEvent['type'][]> = {
  INITIALIZED: ['OrderDenied', 'OrderSubmitted'],
  SUBMITTED: [
    'OrderAccepted',
    'OrderRejected',
    'OrderFilled',
    'OrderCanceled',
    'OrderExpired',
    'OrderCancelRequested',
  ],
  ACCEPTED: ['OrderTriggered', 'OrderFilled', 'OrderCanceled', 'OrderExpired', 'OrderCancelRequested'],
  TRIGGERED: ['OrderRejected', 'OrderFilled', 'OrderCanceled', 'OrderExpired', 'OrderCancelRequested'],
  PARTIALLY_FILLED: ['OrderFilled', 'OrderCanceled', 'OrderExpired', 'OrderCancelRequested'],
  DENIED: [],
  REJECTED: [],
  FILLED: [],
  CANCELED: [],
  EXPIRED: [],
};

function stateOf(o: Order) {
  return {
    id: o.id,
    strategyId: o.strategyId,
    request: o.request,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    status: o.status,
    filledQty: o.filledQty,
    filledNotional: o.filledNotional,
    avgPx: o.avgPx,
    feesPaid: o.feesPaid,
    venueOrderId: o.venueOrderId,
    reasonCode: o.reasonCode,
    reason: o.reason,
    pendingCancel: o.pendingCancel,
    events: o.events,
  };
}

describe('OrderStore property', () => {
  it('any valid sequence of order events, journaled and reloaded on another connection, gives the same Order', () => {
    const writer = new OrderStore(t.open());
    const reader = new OrderStore(t.open());
    const open = new Set<string>();
    let n = 0;
    fc.assert(
      fc.property(
        requestArb,
        fc.string(),
        fc.double({ min: 0, max: 4e12, noNaN: true }),
        fc.array(stepArb, { maxLength: 12 }),
        (request, strategyId, createdAt, steps) => {
          n += 1;
          const id = `P${n}`;
          const order = new Order(id, strategyId, request, createdAt);
          let ts = createdAt;
          let seq = 0;
          const base = () => ({ eventId: `E${++seq}`, orderId: id, strategyId, symbol: request.symbol, ts });
          const record = (e: OrderEvent) => {
            order.apply(e);
            writer.journal(order, e);
          };
          record({ ...base(), type: 'OrderInitialized', request });
          for (const s of steps) {
            const choices = NEXT[order.status];
            const type = choices[s.pick % Math.max(1, choices.length)];
            if (type === undefined) break;
            ts += s.dt;
            switch (type) {
              case 'OrderFilled': {
                const part = mulDiv(
                  order.leavesQty,
                  (BigInt(s.percent) * ONE) as Fixed,
                  (100n * ONE) as Fixed,
                );
                record({
                  ...base(),
                  type,
                  tradeId: `T${seq}`,
                  side: request.side,
                  lastQty: part > ZERO ? part : order.leavesQty,
                  lastPx: s.px,
                  fee: s.fee,
                  feeCurrency: 'USDT',
                  liquidity: s.liquidity,
                });
                break;
              }
              case 'OrderDenied':
              case 'OrderRejected':
                record({ ...base(), type, code: `ERR_${s.percent}`, reason: s.text });
                break;
              case 'OrderAccepted':
                record({ ...base(), type, venueOrderId: s.text });
                break;
              case 'OrderCanceled':
              case 'OrderCancelRequested':
                record({ ...base(), type, reason: s.text });
                break;
              default:
                record({ ...base(), type } as OrderEvent);
            }
          }
          if (order.isTerminal) open.delete(id);
          else open.add(id);

          const loaded = reader.load(id);
          expect(loaded && stateOf(loaded)).toEqual(stateOf(order));
          expect(reader.events(id)).toEqual(order.events);
          expect(reader.get(id)).toMatchObject({
            status: order.status,
            filledQty: order.filledQty,
            avgPx: order.avgPx,
            feesPaid: order.feesPaid,
            eventCount: order.events.length,
          });
          const fills = order.events.filter((e) => e.type === 'OrderFilled');
          expect(reader.fills.forOrder(id).map((f) => [f.tradeId, f.qty, f.px, f.fee])).toEqual(
            fills.map((f) => [f.tradeId, f.lastQty, f.lastPx, f.fee]),
          );
        },
      ),
      { numRuns: 200 },
    );
    expect(new Set(reader.loadOpenOrders().map((o) => o.id))).toEqual(open);
  });
});
