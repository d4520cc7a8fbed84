import { describe, expect, it } from 'vitest';
import { toFixed } from '../../src/core/Fixed.js';
import { makeInstrument } from '../../src/model/Instrument.js';
import { Order } from '../../src/model/Order.js';
import type { OrderRequest } from '../../src/model/OrderRequest.js';
import type { RiskLimits } from '../../src/risk/preTradeRules.js';
import { RiskEngine } from '../../src/risk/RiskEngine.js';
import { ethRequest as request } from './ethRequest.js';

const inst = (symbol: string) =>
  makeInstrument({ symbol, kind: 'PERPETUAL', tickSize: '0.01', lotSize: '0.001', minQty: '0.001' });

/**
 * A notional ceiling the engine cannot evaluate (a market order before the symbol's first
 * price, another position with no mark) must not let the order through unchecked: a 1,000 ETH
 * market buy at start would otherwise pass a 50,000 USDT limit.
 */
function engine(limits: RiskLimits, marks: Record<string, number>, positions: Record<string, string> = {}) {
  return new RiskEngine(
    {
      instrument: inst,
      lastPrice: (s) => marks[s],
      positionQty: (s) => toFixed(positions[s] ?? 0),
      cash: () => toFixed(1_000_000_000),
      openOrders: () => [],
      positions: () => Object.entries(positions).map(([symbol, qty]) => ({ symbol, qty: toFixed(qty) })),
    },
    limits,
  );
}
const order = (p: Partial<OrderRequest>) => new Order('o', 'strat', request(p), 0);

describe('notional ceilings on an order with no price to judge it by', () => {
  it('a market order before any price is denied by maxOrderNotional, not waved through', () => {
    const r = engine({ maxOrderNotional: 50_000 }, {});
    const d = r.check(order({ quantity: toFixed(1000) }));
    expect(d?.code).toBe('ERR_RISK_NO_PRICE');
    expect(d?.reason).toMatch(/ETH\/USDT/);
    // With a price it is judged as usual; a limit order carries its own price.
    expect(
      engine({ maxOrderNotional: 50_000 }, { 'ETH/USDT': 2000 }).check(order({ quantity: toFixed(1000) }))
        ?.code,
    ).toBe('ERR_RISK_MAX_NOTIONAL');
    expect(r.check(order({ type: 'LIMIT', price: toFixed(2000), quantity: toFixed(1) }))).toBeUndefined();
  });

  it('maxPositionNotional and maxTotalExposure deny what they cannot value', () => {
    expect(engine({ maxPositionNotional: 10_000 }, {}).check(order({}))?.code).toBe('ERR_RISK_NO_PRICE');
    // BTC held but unmarked: the total exposure after an ETH buy is unknown.
    const r = engine({ maxTotalExposure: 15_000 }, { 'ETH/USDT': 2000 }, { 'BTC/USDT': '3' });
    expect(r.check(order({}))?.code).toBe('ERR_RISK_NO_PRICE');
    expect(
      engine({ maxTotalExposure: 15_000 }, { 'ETH/USDT': 2000, 'BTC/USDT': 2000 }, { 'BTC/USDT': '3' }).check(
        order({}),
      ),
    ).toBeUndefined();
  });

  it('a stop with no last price is valued at its trigger, as the notional rule does', () => {
    const r = engine({ maxPositionNotional: 10_000 }, {});
    const stop = (qty: number) =>
      order({ type: 'STOP_MARKET', triggerPrice: toFixed(2000), quantity: toFixed(qty) });
    expect(r.check(stop(1))).toBeUndefined();
    expect(r.check(stop(6))?.code).toBe('ERR_RISK_MAX_POSITION');
  });

  it('exits are never blocked by a missing price (kill-switch flatten, reduce-only closes)', () => {
    const r = engine(
      { maxOrderNotional: 50_000, maxPositionNotional: 10_000, maxTotalExposure: 15_000 },
      {},
      {
        'ETH/USDT': '2',
        'BTC/USDT': '1',
      },
    );
    expect(r.check(order({ side: 'SELL', quantity: toFixed(2), reduceOnly: true }))).toBeUndefined();
    expect(r.check(order({ side: 'SELL', quantity: toFixed(1) }))).toBeUndefined();
  });

  it('with no ceiling configured an unpriced market order is not refused for it', () => {
    expect(engine({}, {}).check(order({}))).toBeUndefined();
  });
});
