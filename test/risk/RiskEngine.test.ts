import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Fixed } from '../../src/core/Fixed.js';
import { ZERO, toFixed, toNumber } from '../../src/core/Fixed.js';
import { makeInstrument } from '../../src/model/Instrument.js';
import { Order } from '../../src/model/Order.js';
import type { OrderRequest } from '../../src/model/OrderRequest.js';
import { RiskEngine } from '../../src/risk/RiskEngine.js';
import { ethRequest as request } from './ethRequest.js';
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

describe('RiskEngine stateful rules', () => {
  function stateful(opts: { now: number; lastData?: number; positions?: { symbol: string; qty: string }[] }) {
    let now = opts.now;
    const r = new RiskEngine(
      {
        instrument: () => inst,
        lastPrice: () => 2000,
        positionQty: (s) => toFixed(opts.positions?.find((p) => p.symbol === s)?.qty ?? 0),
        cash: () => toFixed(1_000_000),
        openOrders: () => [],
        now: () => now,
        lastDataAt: () => opts.lastData,
        positions: () => (opts.positions ?? []).map((p) => ({ symbol: p.symbol, qty: toFixed(p.qty) })),
      },
      { maxPositionNotional: 10_000, maxTotalExposure: 15_000, maxOrdersPerMinute: 2, staleDataMs: 5_000 },
    );
    return { r, advance: (ms: number) => (now += ms) };
  }
  const buy = (qty: string) => new Order('x', 'strat', request({ quantity: toFixed(qty) }), 0);
  const sell = (qty: string) => new Order('y', 'strat', request({ side: 'SELL', quantity: toFixed(qty) }), 0);

  it('limits the position and total exposure of adding orders, never of exits', () => {
    const { r } = stateful({
      now: 0,
      lastData: 0,
      positions: [
        { symbol: 'ETH/USDT', qty: '4' },
        { symbol: 'BTC/USDT', qty: '3' },
      ],
    });
    // 4 + 1.1 ETH at 2000 = 10,200 > 10,000.
    expect(r.check(buy('1.1'))?.code).toBe('ERR_RISK_MAX_POSITION');
    // 5 ETH (10,000) + 3 BTC (6,000, marked at the same 2000 here) = 16,000 > 15,000.
    expect(r.check(buy('1'))?.code).toBe('ERR_RISK_MAX_EXPOSURE');
    expect(r.check(sell('4'))).toBeUndefined();
  });

  it('counts approved orders in a sliding minute and refuses data that is stale', () => {
    const { r, advance } = stateful({ now: 1_000, lastData: 0 });
    expect(r.check(buy('0.1'))).toBeUndefined();
    expect(r.check(buy('0.1'))).toBeUndefined();
    expect(r.check(buy('0.1'))?.code).toBe('ERR_RISK_RATE_LIMIT');
    advance(60_000);
    expect(r.check(buy('0.1'))?.code).toBe('ERR_RISK_STALE_DATA');
    const fresh = stateful({ now: 0 });
    expect(fresh.r.check(buy('0.1'))?.reason).toMatch(/no data yet/);
  });

  it('trips the breaker once, to the configured state, and cools a losing strategy down', () => {
    const { r } = stateful({ now: 0, lastData: 0 });
    const changes: string[] = [];
    r.configureBreakers({
      dailyLossLimitPct: 0.05,
      breakerState: 'REDUCING',
      consecutiveLossLimit: 2,
      cooldownMs: 1_000,
    });
    r.onStateChange((state, _reason, code) => changes.push(`${state}:${code}`));
    r.onEquity(10_000, 0);
    r.onEquity(9_400, 1);
    r.onEquity(9_000, 2);
    expect(changes).toEqual(['REDUCING:ERR_RISK_DAILY_LOSS']);
    expect(r.state).toBe('REDUCING');
    r.setState('ACTIVE');
    r.onRoundTripClosed('strat', -1, 0);
    r.onRoundTripClosed('strat', -1, 0);
    expect(r.check(buy('0.1'))?.code).toBe('ERR_RISK_COOLDOWN');
  });
});
