import { describe, expect, it } from 'vitest';
import { toFixed } from '../../src/core/Fixed.js';
import { makeInstrument } from '../../src/model/Instrument.js';
import { Order } from '../../src/model/Order.js';
import type { OrderRequest } from '../../src/model/OrderRequest.js';
import { RiskEngine } from '../../src/risk/RiskEngine.js';
import { ethRequest as request } from './ethRequest.js';

const inst = makeInstrument({ symbol: 'ETH/USDT', tickSize: '0.01', lotSize: '0.001', minQty: '0.001' });

/** ETH at 2000, 1 ETH held, a 5 % fat-finger band (the shipped config's). */
const engine = () =>
  new RiskEngine(
    {
      instrument: () => inst,
      lastPrice: () => 2000,
      positionQty: () => toFixed(1),
      cash: () => toFixed(1_000_000),
      openOrders: () => [],
    },
    { priceBandPct: 0.05 },
  );
const order = (p: Partial<OrderRequest>) => new Order('o', 'strat', request(p), 0);

/**
 * A stop-limit's limit price only goes live once its trigger is hit, so the fat-finger band
 * belongs between the limit and the trigger: measured from the last price it refused every
 * protective stop-limit placed further away than the band.
 */
describe('price band of stop-limit and take-profit-limit orders', () => {
  it('a stop-loss 10 % below the market with its limit next to the trigger is accepted', () => {
    const stop = order({
      side: 'SELL',
      type: 'STOP_LIMIT',
      triggerPrice: toFixed(1800),
      price: toFixed(1790),
    });
    expect(engine().check(stop)).toBeUndefined();
    const tp = order({
      side: 'SELL',
      type: 'TAKE_PROFIT_LIMIT',
      triggerPrice: toFixed(2400),
      price: toFixed(2395),
    });
    expect(engine().check(tp)).toBeUndefined();
  });

  it('a limit far from its own trigger is still a fat finger', () => {
    const stop = order({ side: 'SELL', type: 'STOP_LIMIT', triggerPrice: toFixed(1800), price: toFixed(18) });
    const d = engine().check(stop);
    expect(d?.code).toBe('ERR_RISK_PRICE_BAND');
    expect(d?.reason).toMatch(/trigger/);
  });

  it('a plain limit is still measured from the last price', () => {
    expect(engine().check(order({ side: 'SELL', type: 'LIMIT', price: toFixed(1800) }))?.code).toBe(
      'ERR_RISK_PRICE_BAND',
    );
    expect(engine().check(order({ side: 'SELL', type: 'LIMIT', price: toFixed(1950) }))).toBeUndefined();
  });
});
