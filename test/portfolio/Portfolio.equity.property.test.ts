import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Fixed } from '../../src/core/Fixed.js';
import { ZERO, add, mul, toFixed, toNumber } from '../../src/core/Fixed.js';
import type { FundingSettled } from '../../src/model/futuresEvents.js';
import type { OrderFilled } from '../../src/model/events.js';
import { makeInstrument } from '../../src/model/Instrument.js';
import { Portfolio } from '../../src/portfolio/Portfolio.js';

/*
 * Breakers, sizing and the equity curve read Portfolio.equity(), a float computed from
 * shadows refreshed on each booking; reports read the exact figure. The two must tell the
 * same story whatever happens between bookings: prices before and after fills, a venue mark
 * that takes over from the last price, funding, cash moved by reconciliation, refused fills.
 */
const SPOT = makeInstrument({ symbol: 'BTC/USDT' });
const PERP = makeInstrument({ symbol: 'ETH/USDT:USDT' });
const instrument = (s: string) => (s === SPOT.symbol ? SPOT : PERP);

const cents = (max: number) => fc.integer({ min: 1, max }).map((n) => toFixed(`${n}e-2`));
const action = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      k: fc.constant('fill' as const),
      spot: fc.boolean(),
      buy: fc.boolean(),
      qty: cents(500),
      px: cents(1_000_000),
    }),
  },
  fc.record({
    k: fc.constant('price' as const),
    spot: fc.boolean(),
    px: fc.integer({ min: 1, max: 1_000_000 }),
  }),
  fc.record({ k: fc.constant('mark' as const), px: fc.integer({ min: 1, max: 1_000_000 }) }),
  fc.record({ k: fc.constant('funding' as const), amount: fc.integer({ min: -5000, max: 5000 }) }),
  fc.record({ k: fc.constant('cash' as const), amount: fc.integer({ min: -5000, max: 5000 }) }),
);

const filled = (symbol: string, buy: boolean, qty: Fixed, px: Fixed): OrderFilled =>
  ({
    type: 'OrderFilled',
    symbol,
    side: buy ? 'BUY' : 'SELL',
    lastQty: qty,
    lastPx: px,
    fee: mul(mul(qty, px), toFixed('0.001')),
    feeCurrency: 'USDT',
  }) as unknown as OrderFilled;

const funding = (amount: number): FundingSettled => ({
  type: 'FundingSettled',
  symbol: PERP.symbol,
  ts: 0,
  rate: ZERO,
  markPrice: ZERO,
  positionQty: ZERO,
  amount: toFixed(`${amount}e-2`),
  currency: 'USDT',
});

describe('Portfolio: float equity against the exact ledger (property)', () => {
  it('equity() agrees with equityExact(), and per-position realized PnL sums to the total', () => {
    let booked = 0;
    fc.assert(
      fc.property(fc.array(action, { minLength: 10, maxLength: 50 }), (actions) => {
        const p = new Portfolio('USDT', { USDT: 1_000_000 }, instrument);
        for (const a of actions) {
          try {
            if (a.k === 'fill') {
              p.applyFill(filled(a.spot ? SPOT.symbol : PERP.symbol, a.buy, a.qty, a.px));
              booked++;
            } else if (a.k === 'price') p.updatePrice(a.spot ? SPOT.symbol : PERP.symbol, a.px / 100);
            else if (a.k === 'mark') p.updateMarkPrice(PERP.symbol, a.px / 100);
            else if (a.k === 'funding') p.applyFunding(funding(a.amount));
            else p.adjustCash('USDT', toFixed(`${a.amount}e-2`));
          } catch (e) {
            // Only a spot balance that would go negative may be refused.
            expect((e as { code?: string }).code).toBe('ERR_LEDGER_NEGATIVE_BALANCE');
          }
          const exact = toNumber(p.equityExact());
          expect(Math.abs(p.equity() - exact)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(exact)));
          expect(p.hasExposure()).toBe(p.allPositions().some((x) => x.qty !== ZERO));
        }
        const sum = p.allPositions().reduce<Fixed>((s, x) => add(s, x.realizedPnl), ZERO);
        expect(sum).toBe(p.ledger.realizedPnl());
      }),
      { numRuns: 1500 },
    );
    expect(booked).toBeGreaterThan(10_000);
  });
});
