import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Fixed } from '../../src/core/Fixed.js';
import { ZERO, add, formatFixed, mul, neg, sub, toFixed } from '../../src/core/Fixed.js';
import { isQtsError } from '../../src/core/QtsError.js';
import { makeInstrument } from '../../src/model/Instrument.js';
import type { Instrument } from '../../src/model/Instrument.js';
import { Ledger } from '../../src/portfolio/Ledger.js';

const SPOT = makeInstrument({ symbol: 'BTC/USDT' });
const PERP = makeInstrument({ symbol: 'BTC/USDT:USDT' });
const inst = (s: string): Instrument => (s === SPOT.symbol ? SPOT : PERP);

/** Amounts with up to 8 decimals, as exchanges quote them. */
const amount = (maxUnits: number) => fc.integer({ min: 1, max: maxUnits }).map((n) => toFixed(`${n}e-8`));
const price = fc.integer({ min: 1, max: 10_000_000_000_000 }).map((n) => toFixed(`${n}e-8`));
const feeRate = fc.constantFrom('0', '0.001', '0.00075', '0.0002').map((r) => toFixed(r));

const step = fc.record({
  side: fc.constantFrom('BUY' as const, 'SELL' as const),
  qty: amount(1_000_000_000),
  px: price,
  rate: feeRate,
});

describe('Ledger', () => {
  it('spot: equity = cash + qty × mark and realized + unrealized − fees = equity − start, to the last unit (property)', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), price, (steps, mark) => {
        const start = toFixed(1_000_000);
        const ledger = new Ledger({ USDT: start });
        // Independent running totals of the cash flows the fills imply.
        let expectCash = start;
        let expectQty: Fixed = ZERO;
        let fees: Fixed = ZERO;
        for (const s of steps) {
          const fee = mul(mul(s.qty, s.px), s.rate);
          const cost = mul(s.qty, s.px);
          const ok =
            s.side === 'BUY'
              ? sub(sub(expectCash, cost), fee) >= 0n
              : s.qty <= expectQty && add(expectCash, sub(cost, fee)) >= 0n;
          if (!ok) {
            const before = { cash: ledger.balance('USDT'), pos: ledger.position(SPOT.symbol) };
            expect(() =>
              ledger.applyFill(SPOT, { side: s.side, qty: s.qty, px: s.px, fee, feeCurrency: 'USDT' }),
            ).toThrowError();
            // A refused fill leaves everything as it was.
            expect({ cash: ledger.balance('USDT'), pos: ledger.position(SPOT.symbol) }).toEqual(before);
            continue;
          }
          ledger.applyFill(SPOT, { side: s.side, qty: s.qty, px: s.px, fee, feeCurrency: 'USDT' });
          expectCash = s.side === 'BUY' ? sub(sub(expectCash, cost), fee) : sub(add(expectCash, cost), fee);
          expectQty = s.side === 'BUY' ? add(expectQty, s.qty) : sub(expectQty, s.qty);
          fees = add(fees, fee);
          // Spot balances never go negative.
          expect(ledger.balance('USDT') >= 0n).toBe(true);
          expect(ledger.position(SPOT.symbol).qty >= 0n).toBe(true);
        }
        expect(ledger.balance('USDT')).toBe(expectCash);
        expect(ledger.position(SPOT.symbol).qty).toBe(expectQty);
        const equity = ledger.equity('USDT', () => mark, inst);
        expect(equity).toBe(add(expectCash, mul(expectQty, mark)));
        const pnl = add(ledger.realizedPnl(), ledger.unrealizedPnl(SPOT.symbol, mark));
        expect(sub(pnl, fees)).toBe(sub(equity, start));
        expect(ledger.feesPaid('USDT')).toBe(fees);
      }),
      { numRuns: 3000 },
    );
  });

  it('perpetual: long/short flips keep realized + unrealized − fees = equity − start (property)', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), price, (steps, mark) => {
        const start = toFixed(1_000_000);
        const ledger = new Ledger({ USDT: start });
        let fees: Fixed = ZERO;
        let signedQty: Fixed = ZERO;
        for (const s of steps) {
          const fee = mul(mul(s.qty, s.px), s.rate);
          ledger.applyFill(PERP, { side: s.side, qty: s.qty, px: s.px, fee, feeCurrency: 'USDT' });
          fees = add(fees, fee);
          signedQty = s.side === 'BUY' ? add(signedQty, s.qty) : sub(signedQty, s.qty);
          expect(ledger.position(PERP.symbol).qty).toBe(signedQty);
          // A flat position carries no leftover cost.
          if (signedQty === ZERO) expect(ledger.position(PERP.symbol).costBasis).toBe(ZERO);
        }
        const equity = ledger.equity('USDT', () => mark, inst);
        const pnl = add(ledger.realizedPnl(), ledger.unrealizedPnl(PERP.symbol, mark));
        expect(sub(pnl, fees)).toBe(sub(equity, start));
      }),
      { numRuns: 3000 },
    );
  });

  it('one million fills of 0.1 leave exactly 100000', () => {
    const ledger = new Ledger({ USDT: 10_000_000 });
    const fill = {
      side: 'BUY' as const,
      qty: toFixed('0.1'),
      px: toFixed('1'),
      fee: ZERO,
      feeCurrency: 'USDT',
    };
    for (let i = 0; i < 1_000_000; i++) ledger.applyFill(SPOT, fill);
    expect(formatFixed(ledger.position(SPOT.symbol).qty)).toBe('100000');
    expect(formatFixed(ledger.balance('USDT'))).toBe('9900000');
  });

  it('realizes the pro-rata cost on partial closes and nothing is lost to rounding', () => {
    const ledger = new Ledger({ USDT: 1000 });
    ledger.applyFill(SPOT, { side: 'BUY', qty: toFixed(3), px: toFixed(10), fee: ZERO, feeCurrency: 'USDT' });
    ledger.applyFill(SPOT, {
      side: 'SELL',
      qty: toFixed(1),
      px: toFixed(11),
      fee: ZERO,
      feeCurrency: 'USDT',
    });
    expect(formatFixed(ledger.realizedPnl())).toBe('1');
    expect(formatFixed(ledger.position(SPOT.symbol).costBasis)).toBe('20');
    ledger.applyFill(SPOT, { side: 'BUY', qty: toFixed(1), px: toFixed(13), fee: ZERO, feeCurrency: 'USDT' });
    // Avg cost now (20 + 13) / 3 = 11: selling 1 at 12 realizes exactly 1 more, by exact release of 11.
    ledger.applyFill(SPOT, {
      side: 'SELL',
      qty: toFixed(1),
      px: toFixed(12),
      fee: ZERO,
      feeCurrency: 'USDT',
    });
    expect(formatFixed(ledger.realizedPnl())).toBe('2');
    ledger.applyFill(SPOT, {
      side: 'SELL',
      qty: toFixed(2),
      px: toFixed(11),
      fee: ZERO,
      feeCurrency: 'USDT',
    });
    expect(formatFixed(ledger.realizedPnl())).toBe('2');
    expect(formatFixed(ledger.balance('USDT'))).toBe('1002');
  });

  it('takes a fee paid in the base coin from the position, not from cash', () => {
    const ledger = new Ledger({ USDT: 100 });
    ledger.applyFill(SPOT, {
      side: 'BUY',
      qty: toFixed(1),
      px: toFixed(50),
      fee: toFixed('0.001'),
      feeCurrency: 'BTC',
    });
    expect(formatFixed(ledger.position(SPOT.symbol).qty)).toBe('0.999');
    expect(formatFixed(ledger.balance('USDT'))).toBe('50');
  });

  it('refuses a bad fill with a code', () => {
    const ledger = new Ledger({ USDT: 100 });
    for (const bad of [
      { qty: ZERO, px: toFixed(1) },
      { qty: toFixed(1), px: neg(toFixed(1)) },
    ]) {
      try {
        ledger.applyFill(SPOT, { side: 'BUY', fee: ZERO, feeCurrency: 'USDT', ...bad });
        expect.unreachable();
      } catch (e) {
        expect(isQtsError(e, 'ERR_LEDGER_BAD_FILL')).toBe(true);
      }
    }
  });
});
