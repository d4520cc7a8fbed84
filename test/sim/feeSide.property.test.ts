import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Fixed } from '../../src/core/Fixed.js';
import { ZERO, add, formatFixed, mul, sub, toFixed } from '../../src/core/Fixed.js';
import type { OrderSide, OrderType } from '../../src/model/enums.js';
import type { OrderFilled } from '../../src/model/events.js';
import { fmtUnits } from '../support/fakeBinance/decimal.js';
import type { FakeOrder } from '../support/fakeBinance/orders.js';
import { SpotLedger } from '../support/fakeBinance/SpotLedger.js';
import { harness } from './harness.js';

/** Fixed (16 decimals) → the fake's integer units of 1e-8; every amount here has at most 8 decimals. */
const UNIT = 10n ** 8n;
function units(x: Fixed): bigint {
  if (x % UNIT !== 0n) throw new Error(`${formatFixed(x)} has more than 8 decimals`);
  return x / UNIT;
}

const arbOrder = fc.record({
  kind: fc.constant('order' as const),
  type: fc.constantFrom<OrderType>('MARKET', 'LIMIT'),
  side: fc.constantFrom<OrderSide>('BUY', 'BUY', 'SELL'),
  /** Lots of 0.0001 BTC: with prices on a 0.0001 tick every notional has 8 decimals, as on Binance. */
  lots: fc.integer({ min: 1, max: 20_000 }),
  priceOff: fc.integer({ min: -300, max: 300 }),
});
const arbBar = fc.record({
  kind: fc.constant('bar' as const),
  move: fc.integer({ min: -500, max: 500 }),
  body: fc.integer({ min: -500, max: 500 }),
  up: fc.integer({ min: 0, max: 400 }),
  down: fc.integer({ min: 0, max: 400 }),
});
const arbScenario = fc.record({
  /** Commission in basis points, as the fake exchange takes it (Binance's default is 10). */
  makerBps: fc.constantFrom(0n, 1n, 10n, 25n),
  takerBps: fc.constantFrom(1n, 10n, 75n),
  cash: fc.constantFrom('250', '1000', '12345.6789'),
  coins: fc.constantFrom('0', '0.5', '3.1415'),
  steps: fc.array(fc.oneof({ arbitrary: arbBar, weight: 3 }, { arbitrary: arbOrder, weight: 4 }), {
    minLength: 1,
    maxLength: 80,
    size: 'medium',
  }),
});

const TICK = 0.0001;
/** A price on the tick whose shortest decimal form has at most 4 decimals. */
const onTick = (x: number): number => Number(x.toFixed(4));

/** A fake Binance order standing for one simulated fill: all SpotLedger.settle reads. */
function fakeOrder(side: OrderSide): FakeOrder {
  return {
    venue: 'spot',
    symbol: 'BTCUSDT',
    orderId: 0,
    clientOrderId: '',
    side,
    type: 'MARKET',
    timeInForce: undefined,
    price: 0n,
    stopPrice: 0n,
    origQty: 0n,
    quoteOrderQty: 0n,
    reduceOnly: false,
    time: 0,
    executedQty: 0n,
    cumQuote: 0n,
    status: 'NEW',
    updateTime: 0,
    working: true,
    locked: 0n,
  };
}

describe("feeSide 'get' (Binance spot): ledger against the fills and against the fake exchange", () => {
  it('balances = start + what the fills got − what they gave − fees in the right coin, equal to the fake exchange’s to the unit (property)', () => {
    fc.assert(
      fc.property(arbScenario, (sc) => {
        const bps = (b: bigint): Fixed => toFixed(Number(b) / 10_000);
        const h = harness({
          portfolio: true,
          cash: sc.cash,
          position: sc.coins,
          instrument: {
            feeSide: 'get',
            feeStep: '0.00000001',
            tickSize: String(TICK),
            lotSize: '0.0001',
            makerFee: bps(sc.makerBps),
            takerFee: bps(sc.takerBps),
          },
        });
        const p = h.portfolio;
        if (p === undefined) throw new Error('portfolio expected');
        // Binance's own books of the same account, fed the same fills.
        const exchange = new SpotLedger(
          { USDT: units(toFixed(sc.cash)), BTC: units(toFixed(sc.coins)) },
          sc.makerBps,
          sc.takerBps,
          () => ({ base: 'BTC', quote: 'USDT' }),
        );
        const total = (asset: string): string => {
          const b = exchange.balance(asset);
          return fmtUnits(b.free + b.locked);
        };

        let cash = toFixed(sc.cash);
        let coins = toFixed(sc.coins);
        const fills: OrderFilled[] = [];
        h.reactions.push((e) => {
          if (e.type !== 'OrderFilled') return;
          fills.push(e);
          const buy = e.side === 'BUY';
          const notional = mul(e.lastQty, e.lastPx);
          // What the fill gave and got, minus its fee in the coin it got.
          expect(e.feeCurrency).toBe(buy ? 'BTC' : 'USDT');
          if (buy) {
            cash = sub(cash, notional);
            coins = sub(add(coins, e.lastQty), e.fee);
          } else {
            coins = sub(coins, e.lastQty);
            cash = sub(add(cash, notional), e.fee);
          }
          const booked = exchange.settle(
            fakeOrder(e.side),
            { qty: units(e.lastQty), price: units(e.lastPx) },
            e.liquidity === 'MAKER',
          );
          expect([fmtUnits(booked.commission), booked.commissionAsset]).toEqual([
            fmtUnits(units(e.fee)),
            e.feeCurrency,
          ]);
        });

        let close = 100;
        for (const step of sc.steps) {
          if (step.kind === 'bar') {
            const open = onTick(Math.max(50, close + step.move * TICK * 10));
            const c = onTick(Math.max(50, open + step.body * TICK * 10));
            const high = onTick(Math.max(open, c) + step.up * TICK * 10);
            const low = onTick(Math.max(1, Math.min(open, c) - step.down * TICK * 10));
            h.bar(open, high, low, c);
            close = c;
          } else {
            const price = onTick(Math.max(1, close + step.priceOff * TICK * 10));
            h.submit({
              side: step.side,
              type: step.type,
              qty: (step.lots / 10_000).toFixed(4),
              price: step.type === 'LIMIT' ? price : undefined,
            });
          }
          // After every step: the ledger is exactly the sum of the fills, never negative, and
          // equal to what the exchange would hold.
          expect(formatFixed(p.cash('USDT'))).toBe(formatFixed(cash));
          expect(formatFixed(p.positionQty('BTC/USDT'))).toBe(formatFixed(coins));
          expect(p.cash('USDT') >= ZERO && p.positionQty('BTC/USDT') >= ZERO).toBe(true);
          expect(fmtUnits(units(p.cash('USDT')))).toBe(total('USDT'));
          expect(fmtUnits(units(p.positionQty('BTC/USDT')))).toBe(total('BTC'));
        }
        const feesIn = (coin: string): Fixed =>
          fills.filter((e) => e.feeCurrency === coin).reduce((s, e) => add(s, e.fee), ZERO);
        expect(p.ledger.feesPaid('BTC')).toBe(feesIn('BTC'));
        expect(p.ledger.feesPaid('USDT')).toBe(feesIn('USDT'));
      }),
      { numRuns: 200 },
    );
  });
});
