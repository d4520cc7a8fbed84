import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Fixed } from '../../src/core/Fixed.js';
import { ZERO, add, mul, sub, toFixed } from '../../src/core/Fixed.js';
import type { FeeSide } from '../../src/model/Instrument.js';
import { feeInBase, makeInstrument } from '../../src/model/Instrument.js';
import { Ledger } from '../../src/portfolio/Ledger.js';

/*
 * The identity tests of Ledger.test.ts (realized + unrealized − fees = equity − start) hold
 * whatever cost a partial close releases: a wrong average price moves PnL between realized
 * and unrealized and keeps the sum. These properties check the split itself against an
 * independent model in exact rationals, on adversarial amounts: quantities and prices with
 * up to 16 decimals, so every notional, release and fee is rounded.
 */

const PERP = makeInstrument({ symbol: 'BTC/USDT:USDT' });
const UNIT = 10n ** 16n;

/** An exact rational n / d (d > 0), in account units (not Fixed units). */
interface Q {
  n: bigint;
  d: bigint;
}
const gcd = (a: bigint, b: bigint): bigint => {
  a = a < 0n ? -a : a;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
};
const q = (n: bigint, d = 1n): Q => {
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
};
const fixedQ = (x: Fixed): Q => q(x, UNIT);
const addQ = (a: Q, b: Q): Q => q(a.n * b.d + b.n * a.d, a.d * b.d);
const subQ = (a: Q, b: Q): Q => addQ(a, { n: -b.n, d: b.d });
const mulQ = (a: Q, b: Q): Q => q(a.n * b.n, a.d * b.d);
/** |a − b| in Fixed units (10⁻¹⁶), rounded up. */
const distUnits = (a: Q, b: Q): bigint => {
  const d = subQ(a, b);
  const n = (d.n < 0n ? -d.n : d.n) * UNIT;
  return (n + d.d - 1n) / d.d;
};

/** A positive amount with 0..16 decimals: raw Fixed units, so it may carry all 16 places. */
const amount = fc
  .tuple(fc.bigInt({ min: 1n, max: 10n ** 12n }), fc.integer({ min: 0, max: 16 }))
  .map(([digits, decimals]) => (digits * 10n ** BigInt(16 - decimals)) as Fixed);
const step = fc.record({ buy: fc.boolean(), qty: amount, px: amount });
/** What the runs exercised: the properties must see flips, partial closes and refused fills. */
const seen = {
  flips: 0,
  partialCloses: 0,
  spotBooked: 0,
  spotRefused: 0,
  baseFees: 0,
  thirdCurrencyFees: 0,
  rebates: 0,
};

describe('Ledger: average cost and realized PnL against an exact model (property)', () => {
  it('perpetual: adds, partial closes and flips realize what average-cost accounting does, within rounding', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
        const ledger = new Ledger({ USDT: 0 });
        let qty = 0n;
        let cost: Q = q(0n);
        let realized: Q = q(0n);
        steps.forEach((s, i) => {
          ledger.applyFill(PERP, {
            side: s.buy ? 'BUY' : 'SELL',
            qty: s.qty,
            px: s.px,
            fee: ZERO,
            feeCurrency: 'USDT',
          });
          const px = fixedQ(s.px);
          let rest: bigint = s.qty;
          let closedPart = false;
          if (qty !== 0n && qty > 0n !== s.buy) {
            closedPart = true;
            const held = qty < 0n ? -qty : qty;
            const closed = rest < held ? rest : held;
            const released = mulQ(cost, q(closed, held));
            const exit = mulQ(fixedQ(closed as Fixed), px);
            realized = addQ(realized, qty > 0n ? subQ(exit, released) : subQ(q(0n), addQ(exit, released)));
            cost = subQ(cost, released);
            qty += qty > 0n ? -closed : closed;
            rest -= closed;
          }
          if (rest > 0n) {
            const notional = mulQ(fixedQ(rest as Fixed), px);
            cost = s.buy ? addQ(cost, notional) : subQ(cost, notional);
            qty += s.buy ? rest : -rest;
          }
          if (qty === 0n) cost = q(0n);
          const pos = ledger.position(PERP.symbol);
          expect(pos.qty).toBe(qty);
          // Each step rounds a notional, a release and an exit price at most once each.
          const tolerance = BigInt(2 * (i + 1));
          expect(distUnits(fixedQ(ledger.realizedPnl()), realized)).toBeLessThanOrEqual(tolerance);
          expect(distUnits(fixedQ(pos.costBasis), cost)).toBeLessThanOrEqual(tolerance);
          expect(pos.realizedPnl).toBe(ledger.realizedPnl());
          // A position just opened or flipped by this fill is carried at exactly its price.
          const opened = qty !== 0n && rest === (qty < 0n ? -qty : qty);
          if (opened) {
            const notional = mul(rest as Fixed, s.px);
            expect(pos.costBasis).toBe(s.buy ? notional : sub(ZERO, notional));
            if (closedPart) seen.flips++;
          }
          if (closedPart && rest === 0n && qty !== 0n) seen.partialCloses++;
        });
      }),
      { numRuns: 2000 },
    );
    expect(seen.flips).toBeGreaterThan(100);
    expect(seen.partialCloses).toBeGreaterThan(100);
  });

  it('spot, fees or rebates in the quote, the coin or a third currency: balances never negative, identities exact', () => {
    const feeSides: FeeSide[] = ['quote', 'base', 'get', 'give'];
    const spotStep = fc.record({
      buy: fc.boolean(),
      qty: amount,
      px: amount,
      // Negative: a maker rebate, as ccxt reports one.
      rate: fc.constantFrom('0', '0.001', '0.00075', '0.0000001', '-0.00025'),
      thirdCurrency: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...feeSides),
        fc.array(spotStep, { minLength: 1, maxLength: 40 }),
        amount,
        (feeSide, steps, mark) => {
          const inst = makeInstrument({ symbol: 'BTC/USDT', feeSide });
          const start = (10n ** 13n * UNIT) as Fixed;
          const ledger = new Ledger({ USDT: start });
          let quoteFees: Fixed = ZERO;
          for (const s of steps) {
            const side = s.buy ? 'BUY' : 'SELL';
            const rate = toFixed(s.rate);
            const inBase = !s.thirdCurrency && feeInBase(inst, side);
            const fee = mul(inBase ? s.qty : mul(s.qty, s.px), rate);
            const feeCurrency = s.thirdCurrency ? 'BNB' : inBase ? 'BTC' : 'USDT';
            const before = { cash: ledger.balance('USDT'), pos: ledger.position(inst.symbol) };
            try {
              ledger.applyFill(inst, { side, qty: s.qty, px: s.px, fee, feeCurrency });
            } catch {
              // Refused (not enough cash or coins): nothing moved.
              expect({ cash: ledger.balance('USDT'), pos: ledger.position(inst.symbol) }).toEqual(before);
              seen.spotRefused++;
              continue;
            }
            seen.spotBooked++;
            if (feeCurrency === 'BTC' && fee > 0n) seen.baseFees++;
            if (feeCurrency === 'BNB' && fee > 0n) seen.thirdCurrencyFees++;
            if (fee < 0n) seen.rebates++;
            if (feeCurrency === 'USDT') quoteFees = add(quoteFees, fee);
            expect(ledger.balance('USDT') >= 0n).toBe(true);
            expect(ledger.position(inst.symbol).qty >= 0n).toBe(true);
            if (ledger.position(inst.symbol).qty === ZERO)
              expect(ledger.position(inst.symbol).costBasis).toBe(ZERO);
          }
          const equity = ledger.equity(
            'USDT',
            () => mark,
            () => inst,
          );
          const pos = ledger.position(inst.symbol);
          expect(equity).toBe(add(ledger.balance('USDT'), mul(pos.qty, mark)));
          // Coins paid as fees left the position, so their cost is already in realized + unrealized.
          const pnl = add(ledger.realizedPnl(), ledger.unrealizedPnl(inst.symbol, mark));
          expect(sub(pnl, quoteFees)).toBe(sub(equity, start));
          expect(ledger.feesPaid('USDT')).toBe(quoteFees);
        },
      ),
      { numRuns: 2000 },
    );
    expect(seen.spotBooked).toBeGreaterThan(1000);
    expect(seen.spotRefused).toBeGreaterThan(1000);
    expect(seen.baseFees).toBeGreaterThan(100);
    expect(seen.thirdCurrencyFees).toBeGreaterThan(100);
    expect(seen.rebates).toBeGreaterThan(100);
  });
});
