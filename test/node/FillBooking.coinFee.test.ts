import { describe, expect, it } from 'vitest';
import { ZERO, sub, toFixed, toNumber } from '../../src/core/Fixed.js';
import { TestClock } from '../../src/kernel/Clock.js';
import type { OrderFilled } from '../../src/model/events.js';
import { makeInstrument } from '../../src/model/Instrument.js';
import { Order } from '../../src/model/Order.js';
import { FillBooking } from '../../src/node/FillBooking.js';
import { Portfolio } from '../../src/portfolio/Portfolio.js';
import { RiskEngine } from '../../src/risk/RiskEngine.js';

/** A cheap coin on Binance spot: a buy's fee is taken in the coin bought (feeSide 'get'). */
const PEPE = makeInstrument({ symbol: 'PEPE/USDT', tickSize: '0.00000001', lotSize: '1', feeSide: 'get' });

function fill(side: 'BUY' | 'SELL', qty: string, px: string, fee: string, feeCurrency: string): OrderFilled {
  return {
    type: 'OrderFilled',
    orderId: `o-${side}`,
    strategyId: 'strat',
    symbol: PEPE.symbol,
    ts: 0,
    eventId: `e-${side}`,
    tradeId: `t-${side}`,
    side,
    lastQty: toFixed(qty),
    lastPx: toFixed(px),
    fee: toFixed(fee),
    feeCurrency,
    liquidity: 'TAKER',
  };
}

function setup(): { portfolio: Portfolio; risk: RiskEngine; booking: FillBooking } {
  const portfolio = new Portfolio('USDT', { USDT: 1000 }, () => PEPE);
  const risk = new RiskEngine({
    instrument: () => PEPE,
    lastPrice: () => undefined,
    positionQty: (s) => portfolio.positionQty(s),
    cash: (c) => portfolio.cash(c),
    openOrders: () => [],
  });
  // One losing round trip starts the cooldown: the test reads whether the trip counted as a loss.
  risk.configureBreakers({ consecutiveLossLimit: 1, cooldownMs: 60_000 });
  return { portfolio, risk, booking: new FillBooking(portfolio, risk, new TestClock(0)) };
}

/** What risk answers to a new buy of the strategy: ERR_RISK_COOLDOWN once a loss streak started a cooldown. */
function newBuyDenial(risk: RiskEngine): string | undefined {
  const order = new Order(
    'probe',
    'strat',
    {
      symbol: PEPE.symbol,
      side: 'BUY',
      type: 'LIMIT',
      price: toFixed('0.0001'),
      quantity: toFixed(100_000),
      timeInForce: 'GTC',
      postOnly: false,
      reduceOnly: false,
    },
    0,
  );
  return risk.check(order)?.code;
}

describe('FillBooking: loss streaks of a round trip whose buy paid its fee in the coin', () => {
  it('a trip that grew the account is a win: the coin fee is in the realized PnL once, not again in coin units', () => {
    const { portfolio, risk, booking } = setup();
    const start = portfolio.equityExact();
    // 1,000,000 PEPE at 0.0001 = 100 USDT; the fee, 1,000 PEPE (0.1 USDT), comes out of the coins.
    booking.book(fill('BUY', '1000000', '0.0001', '1000', 'PEPE'));
    // Sells the 999,000 delivered a little higher; 0.1 % fee in the USDT received.
    booking.book(fill('SELL', '999000', '0.00010025', '0.10014975', 'USDT'));
    expect(portfolio.positionQty(PEPE.symbol)).toBe(ZERO);
    // The account grew: 1000 → 1000.04960025. Counting 1,000 PEPE as 1,000 USDT made it a
    // loss of ~1,000; valuing the fee at the price and subtracting it again a loss of ~0.05.
    const grew = toNumber(sub(portfolio.equityExact(), start));
    expect(grew).toBeCloseTo(0.04960025, 8);
    expect(newBuyDenial(risk)).toBeUndefined();
  });

  it('a trip that lost money still counts as a loss', () => {
    const { portfolio, risk, booking } = setup();
    const start = portfolio.equityExact();
    booking.book(fill('BUY', '1000000', '0.0001', '1000', 'PEPE'));
    booking.book(fill('SELL', '999000', '0.0001', '0.0999', 'USDT'));
    expect(toNumber(sub(portfolio.equityExact(), start))).toBeLessThan(0);
    expect(newBuyDenial(risk)).toBe('ERR_RISK_COOLDOWN');
  });
});
