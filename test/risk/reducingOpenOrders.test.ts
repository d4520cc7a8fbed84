import { describe, expect, it } from 'vitest';
import type { Fixed } from '../../src/core/Fixed.js';
import { toFixed } from '../../src/core/Fixed.js';
import { makeInstrument } from '../../src/model/Instrument.js';
import { Order } from '../../src/model/Order.js';
import type { OrderRequest } from '../../src/model/OrderRequest.js';
import type { RiskLimits } from '../../src/risk/preTradeRules.js';
import { RiskEngine } from '../../src/risk/RiskEngine.js';
import type { TradingState } from '../../src/risk/TradingState.js';
import { ethRequest } from './ethRequest.js';

const SYMBOL = 'ETH/USDT:USDT';
const perp = makeInstrument({
  symbol: SYMBOL,
  kind: 'PERPETUAL',
  tickSize: '0.01',
  lotSize: '0.001',
  minQty: '0.001',
});
const request = (p: Partial<OrderRequest>): OrderRequest => ethRequest({ symbol: SYMBOL, ...p });

let seq = 0;
/** An order resting at the venue (accepted), as the OMS lists it among the open ones. */
function resting(p: Partial<OrderRequest>): Order {
  const id = `R${++seq}`;
  const o = new Order(id, 'strat', request(p), 0);
  const base = { orderId: id, strategyId: 'strat', symbol: SYMBOL, ts: 0 };
  o.apply({ type: 'OrderInitialized', request: o.request, eventId: `${id}-0`, ...base });
  o.apply({ type: 'OrderSubmitted', eventId: `${id}-1`, ...base });
  o.apply({ type: 'OrderAccepted', eventId: `${id}-2`, venueOrderId: `V${id}`, ...base });
  return o;
}

function engine(state: TradingState, position: string, open: Order[], limits: RiskLimits = {}): RiskEngine {
  const r = new RiskEngine(
    {
      instrument: () => perp,
      lastPrice: () => 2000,
      positionQty: (): Fixed => toFixed(position),
      cash: () => toFixed(1_000_000),
      openOrders: () => open,
    },
    limits,
  );
  r.setState(state);
  return r;
}
const check = (r: RiskEngine, p: Partial<OrderRequest>) =>
  r.check(new Order('N', 'strat', request(p), 0))?.code;

/**
 * REDUCING (a circuit breaker's or the kill switch's state) means "only orders that shrink a
 * position". Judged one order at a time, two sells each the size of a perpetual long were both
 * "reducing", and together they turn it short: the breaker meant to cut risk opened a new
 * position of the same size.
 */
describe('REDUCING counts the closing orders already open', () => {
  it('a second sell of the whole perpetual long is denied: together they would turn it short', () => {
    const r = engine('REDUCING', '1', [resting({ side: 'SELL', type: 'LIMIT', price: toFixed(2100) })]);
    expect(check(r, { side: 'SELL' })).toBe('ERR_RISK_REDUCING_ONLY');
    // What still fits in the position passes; a reduce-only order cannot outgrow it at the venue.
    expect(
      engine('REDUCING', '1', [resting({ side: 'SELL', quantity: toFixed('0.4') })]).check(
        new Order('N', 'strat', request({ side: 'SELL', quantity: toFixed('0.6') }), 0),
      ),
    ).toBeUndefined();
    expect(check(r, { side: 'SELL', reduceOnly: true })).toBeUndefined();
  });

  it('a short is the mirror: resting buys count against a new buy', () => {
    const r = engine('REDUCING', '-2', [
      resting({ side: 'BUY', quantity: toFixed('1.5'), type: 'LIMIT', price: toFixed(1900) }),
    ]);
    expect(check(r, { side: 'BUY', quantity: toFixed(1) })).toBe('ERR_RISK_REDUCING_ONLY');
    expect(check(r, { side: 'BUY', quantity: toFixed('0.5') })).toBeUndefined();
  });

  it('reduce-only orders resting and opening-side orders do not count; of an OCO only its largest leg', () => {
    const open = [
      resting({ side: 'SELL', reduceOnly: true, type: 'LIMIT', price: toFixed(2100) }),
      resting({ side: 'BUY', type: 'LIMIT', price: toFixed(1900) }),
      resting({ side: 'SELL', quantity: toFixed('0.3'), type: 'LIMIT', price: toFixed(2200), ocoGroup: 'g' }),
      resting({
        side: 'SELL',
        quantity: toFixed('0.5'),
        type: 'STOP_MARKET',
        triggerPrice: toFixed(1800),
        ocoGroup: 'g',
      }),
    ];
    // 0.5 (the OCO's larger leg) + 0.5 fits in the long of 1; 0.501 does not.
    expect(check(engine('REDUCING', '1', open), { side: 'SELL', quantity: toFixed('0.5') })).toBeUndefined();
    expect(check(engine('REDUCING', '1', open), { side: 'SELL', quantity: toFixed('0.501') })).toBe(
      'ERR_RISK_REDUCING_ONLY',
    );
  });

  it('the exits other rules let through are judged the same way (order rate limit)', () => {
    const limits = { maxOrdersPerMinute: 0 };
    // An exit is never held back by the order budget…
    expect(check(engine('ACTIVE', '1', [], limits), { side: 'SELL' })).toBeUndefined();
    // …but a sell that, with the one resting, would turn the long short is not an exit.
    const r = engine('ACTIVE', '1', [resting({ side: 'SELL', type: 'LIMIT', price: toFixed(2100) })], limits);
    expect(check(r, { side: 'SELL' })).toBe('ERR_RISK_RATE_LIMIT');
  });

  it('an amend of the resting sell is judged without itself', () => {
    const sell = resting({ side: 'SELL', type: 'LIMIT', price: toFixed(2100) });
    const r = engine('REDUCING', '1', [sell]);
    expect(r.checkAmend(sell, { ...sell.request, price: toFixed(2050) })).toBeUndefined();
  });
});
