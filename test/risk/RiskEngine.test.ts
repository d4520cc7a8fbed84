import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Fixed } from '../../src/core/Fixed.js';
import { ZERO, toFixed, toNumber } from '../../src/core/Fixed.js';
import { makeInstrument } from '../../src/model/Instrument.js';
import { Order } from '../../src/model/Order.js';
import type { OrderRequest } from '../../src/model/OrderRequest.js';
import { RiskEngine } from '../../src/risk/RiskEngine.js';
import type { TradingState } from '../../src/risk/TradingState.js';

const inst = makeInstrument({
  symbol: 'ETH/USDT',
  tickSize: '0.01',
  lotSize: '0.001',
  minQty: '0.001',
  minNotional: '10',
  takerFee: '0.001',
});

function engine(state: TradingState, positionQty: Fixed, cash: Fixed, open: Order[] = []): RiskEngine {
  const r = new RiskEngine(
    {
      instrument: () => inst,
      lastPrice: () => 2000,
      positionQty: () => positionQty,
      cash: () => cash,
      openOrders: () => open,
    },
    { maxOrderNotional: 50_000, maxOpenOrders: 5, priceBandPct: 0.1 },
  );
  r.setState(state);
  return r;
}

function request(p: Partial<OrderRequest>): OrderRequest {
  return {
    symbol: 'ETH/USDT',
    side: 'BUY',
    type: 'MARKET',
    quantity: toFixed(1),
    timeInForce: 'GTC',
    postOnly: false,
    reduceOnly: false,
    ...p,
  };
}

/** An independent judge written from the rules' specification with plain numbers. */
function expected(req: OrderRequest, state: TradingState, pos: number, cash: number): string | undefined {
  const q = toNumber(req.quantity);
  const px = req.price !== undefined ? toNumber(req.price) : 2000;
  const reducing = pos !== 0 && (pos > 0 ? req.side === 'SELL' : req.side === 'BUY') && q <= Math.abs(pos);
  if (state === 'HALTED') return 'ERR_RISK_HALTED';
  if (state === 'REDUCING' && !reducing) return 'ERR_RISK_REDUCING_ONLY';
  if (q <= 0) return 'ERR_RISK_QUANTITY';
  if (req.price !== undefined && toNumber(req.price) <= 0) return 'ERR_RISK_PRICE';
  if (req.type === 'LIMIT' && req.price === undefined) return 'ERR_RISK_PRICE';
  if (!Number.isInteger(Number((q * 1000).toFixed(6)))) return 'ERR_RISK_PRECISION';
  if (req.price !== undefined && !Number.isInteger(Number((toNumber(req.price) * 100).toFixed(6))))
    return 'ERR_RISK_PRECISION';
  if (q < 0.001) return 'ERR_RISK_MIN_QTY';
  if (req.reduceOnly && (pos === 0 || (pos > 0 ? req.side === 'BUY' : req.side === 'SELL')))
    return 'ERR_RISK_REDUCE_ONLY';
  const notional = q * px;
  if (notional < 10 && !req.reduceOnly) return 'ERR_RISK_MIN_NOTIONAL';
  if (notional > 50_000) return 'ERR_RISK_MAX_NOTIONAL';
  if (req.price !== undefined && Math.abs(px / 2000 - 1) > 0.1) return 'ERR_RISK_PRICE_BAND';
  if (req.side === 'SELL' && q > Math.max(pos, 0)) return 'ERR_RISK_INSUFFICIENT_POSITION';
  if (req.side === 'BUY' && notional * 1.001 > cash + 1e-9) return 'ERR_RISK_INSUFFICIENT_FUNDS';
  return undefined;
}

const qtyArb = fc.oneof(
  fc.integer({ min: 1, max: 30_000 }).map((n) => `${n}e-3`), // on the lot grid
  fc.integer({ min: 1, max: 3_000_000 }).map((n) => `${n}e-6`), // often off the grid
  fc.constantFrom('0', '-1', '1e12', '0.0005', '-0.001'),
);
const pxArb = fc.option(
  fc.oneof(
    fc.integer({ min: 150_000, max: 250_000 }).map((n) => `${n}e-2`),
    fc.integer({ min: 1_500_000, max: 2_500_000 }).map((n) => `${n}e-3`),
    fc.constantFrom('0', '-5', '1e9', '0.01'),
  ),
  { nil: undefined },
);

describe('RiskEngine', () => {
  it('denies exactly what the rules forbid, with the right reason (property)', () => {
    fc.assert(
      fc.property(
        qtyArb,
        pxArb,
        fc.constantFrom('BUY' as const, 'SELL' as const),
        fc.constantFrom<TradingState>('ACTIVE', 'ACTIVE', 'ACTIVE', 'REDUCING', 'HALTED'),
        fc.integer({ min: -5000, max: 5000 }).map((n) => n / 1000),
        fc.integer({ min: 0, max: 60_000 }),
        fc.boolean(),
        (qty, px, side, state, pos, cash, reduceOnly) => {
          const req = request({
            side,
            quantity: toFixed(qty),
            reduceOnly,
            ...(px === undefined ? {} : { type: 'LIMIT' as const, price: toFixed(px) }),
          });
          const order = new Order('O1', 's', req, 0);
          const denial = engine(state, toFixed(pos), toFixed(cash)).check(order);
          expect(denial?.code).toBe(expected(req, state, pos, cash));
          if (denial) expect(denial.reason.length).toBeGreaterThan(5);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('counts cash already committed to open buy orders', () => {
    const resting = new Order(
      'O0',
      's',
      request({ type: 'LIMIT', price: toFixed(2000), quantity: toFixed(4) }),
      0,
    );
    resting.apply({
      type: 'OrderInitialized',
      request: resting.request,
      eventId: 'e0',
      orderId: 'O0',
      strategyId: 's',
      symbol: 'ETH/USDT',
      ts: 0,
    });
    resting.apply({
      type: 'OrderSubmitted',
      eventId: 'e1',
      orderId: 'O0',
      strategyId: 's',
      symbol: 'ETH/USDT',
      ts: 0,
    });
    const r = engine('ACTIVE', ZERO, toFixed(10_000), [resting]);
    // 10000 cash − 4 × 2000 × 1.001 committed leaves 1992: a 1-unit buy (2002) no longer fits.
    expect(r.check(new Order('O1', 's', request({}), 0))?.code).toBe('ERR_RISK_INSUFFICIENT_FUNDS');
    expect(r.check(new Order('O2', 's', request({ quantity: toFixed('0.9') }), 0))).toBeUndefined();
  });

  it('needs a trigger for stops and a trailing distance for trailing stops', () => {
    const r = engine('ACTIVE', toFixed(1), toFixed(10_000));
    expect(r.check(new Order('a', 's', request({ type: 'STOP_MARKET', side: 'SELL' }), 0))?.code).toBe(
      'ERR_RISK_PRICE',
    );
    expect(r.check(new Order('b', 's', request({ type: 'TRAILING_STOP', side: 'SELL' }), 0))?.code).toBe(
      'ERR_RISK_PRICE',
    );
    expect(
      r.check(
        new Order(
          'c',
          's',
          request({ type: 'TRAILING_STOP', side: 'SELL', trailingPct: toFixed('0.02') }),
          0,
        ),
      ),
    ).toBeUndefined();
  });
});
