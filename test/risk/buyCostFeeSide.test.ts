import { describe, expect, it } from 'vitest';
import type { Fixed } from '../../src/core/Fixed.js';
import { ZERO, add, formatFixed, mul, toFixed } from '../../src/core/Fixed.js';
import type { FeeSide, Instrument } from '../../src/model/Instrument.js';
import { makeInstrument } from '../../src/model/Instrument.js';
import { Order } from '../../src/model/Order.js';
import type { OrderRequest } from '../../src/model/OrderRequest.js';
import { sizeOrder } from '../../src/portfolio/Sizer.js';
import { RiskEngine } from '../../src/risk/RiskEngine.js';
import { ethRequest as request } from './ethRequest.js';

const TAKER = toFixed('0.001');
const PX = 2000;
const spot = (feeSide: FeeSide): Instrument =>
  makeInstrument({ symbol: 'ETH/USDT', tickSize: '0.01', lotSize: '0.001', takerFee: TAKER, feeSide });
/** Whether ccxt's reading of feeSide charges a buy in the coin bought. */
const buyPaysInCoins = (s: FeeSide): boolean => s === 'base' || s === 'get';

function submitted(id: string, req: OrderRequest): Order {
  const o = new Order(id, 's', req, 0);
  const head = { orderId: id, strategyId: 's', symbol: req.symbol, ts: 0 };
  o.apply({ type: 'OrderInitialized', request: req, eventId: `${id}i`, ...head });
  o.apply({ type: 'OrderSubmitted', eventId: `${id}s`, ...head });
  return o;
}

function risk(inst: Instrument, cash: Fixed, open: Order[] = []): RiskEngine {
  return new RiskEngine(
    {
      instrument: () => inst,
      lastPrice: () => PX,
      positionQty: () => ZERO,
      cash: () => cash,
      openOrders: () => open,
    },
    {},
  );
}

describe("a buy's cost when its fee is paid in the coin bought", () => {
  for (const feeSide of ['quote', 'base', 'get', 'give'] as const) {
    const inst = spot(feeSide);
    const inCoins = buyPaysInCoins(feeSide);

    it(`${feeSide}: the risk engine ${inCoins ? 'accepts' : 'refuses'} a buy costing exactly the cash held`, () => {
      const cash = mul(toFixed(1), toFixed(PX));
      const denial = risk(inst, cash).check(new Order('O1', 's', request({}), 0));
      expect(denial?.code).toBe(inCoins ? undefined : 'ERR_RISK_INSUFFICIENT_FUNDS');
    });

    it(`${feeSide}: open buys commit ${inCoins ? 'their notional' : 'notional plus fee'} of cash`, () => {
      const resting = submitted('O0', request({ type: 'LIMIT', price: toFixed(PX), quantity: toFixed(4) }));
      // 10000 − 4 × 2000 (× 1.001 when the fee is in quote) leaves 2000 (or 1992).
      const r = risk(inst, toFixed(10_000), [resting]);
      const one = r.check(new Order('O1', 's', request({}), 0));
      expect(one?.code).toBe(inCoins ? undefined : 'ERR_RISK_INSUFFICIENT_FUNDS');
      expect(r.check(new Order('O2', 's', request({ quantity: toFixed('0.99') }), 0))).toBeUndefined();
    });

    it(`${feeSide}: all-in sizing spends ${inCoins ? 'all the cash on coins' : 'the cash on coins and the fee'}`, () => {
      const cash = toFixed(10_000);
      const qty = sizeOrder(
        { kind: 'all-in', step: toFixed('0.001') },
        { instrument: inst, price: PX, cash, equity: 10_000 },
      );
      const notional = mul(qty, toFixed(PX));
      const cost = inCoins ? notional : add(notional, mul(notional, TAKER));
      // Affordable, and one more lot would not be.
      const next = mul(add(qty, toFixed('0.001')), toFixed(PX));
      expect(cost <= cash).toBe(true);
      expect((inCoins ? next : add(next, mul(next, TAKER))) > cash).toBe(true);
      expect(formatFixed(qty)).toBe(inCoins ? '5' : '4.995');
    });
  }

  it('perpetuals size on margin plus the fee whatever feeSide says', () => {
    const perp = makeInstrument({
      symbol: 'ETH/USDT:USDT',
      lotSize: '0.001',
      takerFee: TAKER,
      feeSide: 'get',
    });
    const plain = makeInstrument({ symbol: 'ETH/USDT:USDT', lotSize: '0.001', takerFee: TAKER });
    const input = { price: PX, cash: toFixed(1000), equity: 1000, leverage: 10 };
    const spec = { kind: 'all-in', step: toFixed('0.001') } as const;
    expect(sizeOrder(spec, { ...input, instrument: perp })).toBe(
      sizeOrder(spec, { ...input, instrument: plain }),
    );
    expect(formatFixed(sizeOrder(spec, { ...input, instrument: perp }))).toBe('4.95');
  });
});
