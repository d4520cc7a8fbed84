import { describe, expect, it } from 'vitest';
import type { Fixed } from '../../src/core/Fixed.js';
import { ZERO, add, floorToStep, formatFixed, mul, neg, sub } from '../../src/core/Fixed.js';
import type { OrderSide } from '../../src/model/enums.js';
import type { OrderCanceled, OrderRejected } from '../../src/model/events.js';
import type { FeeSide } from '../../src/model/Instrument.js';
import { makeInstrument } from '../../src/model/Instrument.js';
import { fx, harness } from './harness.js';

const FEE_SIDES: readonly FeeSide[] = ['quote', 'base', 'get', 'give'];
const SIDES: readonly OrderSide[] = ['BUY', 'SELL'];

/** ccxt's reading of market.feeSide, written out case by case: the coin a fill's fee is paid in. */
const FEE_COIN: Record<FeeSide, Record<OrderSide, 'BTC' | 'USDT'>> = {
  quote: { BUY: 'USDT', SELL: 'USDT' },
  base: { BUY: 'BTC', SELL: 'BTC' },
  get: { BUY: 'BTC', SELL: 'USDT' },
  give: { BUY: 'USDT', SELL: 'BTC' },
};

const TAKER = fx('0.002');
const MAKER = fx('0.001');
const STEP = fx('0.00000001');
const f = (x: Fixed): string => formatFixed(x);

/** A venue booking into a real Portfolio, the instrument charging fees per `feeSide`. */
function venue(feeSide: FeeSide, cash: string, position: string) {
  return harness({
    portfolio: true,
    cash,
    position,
    instrument: { feeSide, feeStep: STEP, makerFee: MAKER, takerFee: TAKER },
  });
}

describe('SimulatedVenue: spot fees follow Instrument.feeSide', () => {
  for (const feeSide of FEE_SIDES) {
    for (const side of SIDES) {
      it(`${feeSide} × ${side}: fee currency, amount and balances after a market fill`, () => {
        const h = venue(feeSide, '10000', '5');
        const p = h.portfolio;
        if (p === undefined) throw new Error('portfolio expected');
        h.bar(100, 101, 99, 100);
        const qty = fx('2.345');
        const o = h.submit({ side, qty: '2.345' });
        h.bar(101.37, 102, 100, 101);
        const [fill, ...more] = h.fills(o);
        expect(more).toHaveLength(0);
        if (fill === undefined) throw new Error(`no fill: ${h.types(o).join(',')}`);

        const coin = FEE_COIN[feeSide][side];
        const notional = mul(qty, fx('101.37'));
        // A base fee is on the coins traded, a quote fee on the notional; both cut to Binance's 8 decimals.
        const fee = floorToStep(mul(coin === 'BTC' ? qty : notional, TAKER), STEP);
        expect(fill.feeCurrency).toBe(coin);
        expect(f(fill.fee)).toBe(f(fee));
        expect(fill.fee).toBeGreaterThan(0n);

        const sign = side === 'BUY' ? 1n : -1n;
        const cashAfter = sub(add(fx(10_000), neg((notional * sign) as Fixed)), coin === 'USDT' ? fee : ZERO);
        const coinsAfter = sub(add(fx(5), (qty * sign) as Fixed), coin === 'BTC' ? fee : ZERO);
        expect(f(p.cash('USDT'))).toBe(f(cashAfter));
        expect(f(p.positionQty('BTC/USDT'))).toBe(f(coinsAfter));
        expect(f(p.ledger.feesPaid(coin))).toBe(f(fee));
        expect(p.ledger.feesPaid(coin === 'BTC' ? 'USDT' : 'BTC')).toBe(ZERO);
      });
    }
  }

  it("feeSide 'quote' keeps today's exact fee (no rounding), whatever feeStep says", () => {
    const inst = makeInstrument({ symbol: 'BTC/USDT', feeStep: '0.00000001', takerFee: '0.00075' });
    expect(inst.feeSide).toBe('quote');
    const h = harness({ instrument: { feeStep: STEP, takerFee: '0.00075', lotSize: '0.00001' } });
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'BUY', qty: '0.12345' });
    h.bar(101.37, 102, 100, 101);
    // 0.12345 × 101.37 × 0.00075 = 0.009385594875, kept to the last digit.
    expect(f(h.fills(o)[0]?.fee ?? neg(fx(1)))).toBe(f(mul(mul(fx('0.12345'), fx('101.37')), fx('0.00075'))));
    expect(h.fills(o)[0]?.feeCurrency).toBe('USDT');
  });

  it('off the quote side a fee is cut down to the feeStep, as Binance books commissions', () => {
    const h = harness({
      portfolio: true,
      instrument: { feeSide: 'get', feeStep: STEP, takerFee: '0.00075', lotSize: '0.00001' },
      position: '1',
    });
    h.bar(100, 101, 99, 100);
    const buy = h.submit({ side: 'BUY', qty: '0.12345' });
    const sell = h.submit({ side: 'SELL', qty: '0.12345' });
    h.bar(101.37, 102, 100, 101);
    const exactBase = mul(fx('0.12345'), fx('0.00075')); // 0.0000925875
    const exactQuote = mul(mul(fx('0.12345'), fx('101.37')), fx('0.00075')); // 0.009385594875
    expect(f(h.fills(buy)[0]?.fee ?? ZERO)).toBe('0.00009258');
    expect(f(h.fills(sell)[0]?.fee ?? ZERO)).toBe('0.00938559');
    expect(h.fills(buy)[0]?.fee).toBeLessThan(exactBase);
    expect(h.fills(sell)[0]?.fee).toBeLessThan(exactQuote);
  });
});

describe('SimulatedVenue: paying a fee where it is charged', () => {
  const rejection = (h: ReturnType<typeof venue>, id: string): OrderRejected | undefined =>
    h.events.find((e): e is OrderRejected => e.type === 'OrderRejected' && e.orderId === id);
  const cancel = (h: ReturnType<typeof venue>, id: string): OrderCanceled | undefined =>
    h.events.find((e): e is OrderCanceled => e.type === 'OrderCanceled' && e.orderId === id);

  for (const feeSide of FEE_SIDES) {
    const buyInBase = FEE_COIN[feeSide].BUY === 'BTC';
    const sellInBase = FEE_COIN[feeSide].SELL === 'BTC';

    it(`${feeSide}: a buy with exactly the notional in cash ${buyInBase ? 'fills (fee from the coins)' : 'is refused on arrival'}`, () => {
      // 2 × 100 = 200 USDT of cash: enough for the coins, not for a fee on top.
      const h = venue(feeSide, '200', '0');
      h.bar(100, 100, 100, 100);
      const o = h.submit({ side: 'BUY', qty: '2' });
      h.bar(100, 100, 100, 100);
      const p = h.portfolio;
      if (p === undefined) throw new Error('portfolio expected');
      if (buyInBase) {
        expect(h.fills(o)).toHaveLength(1);
        expect(f(p.cash('USDT'))).toBe('0');
        expect(f(p.positionQty('BTC/USDT'))).toBe(f(sub(fx(2), mul(fx(2), TAKER))));
      } else {
        expect(rejection(h, o.id)?.code).toBe('ERR_INSUFFICIENT_FUNDS');
        expect(rejection(h, o.id)?.reason).toMatch(/buy needs 200\.4 USDT, 200 available/);
        expect(f(p.cash('USDT'))).toBe('200');
      }
    });

    it(`${feeSide}: a sell of every coin held ${sellInBase ? 'is refused on arrival (no coins left for the fee)' : 'fills (fee from the proceeds)'}`, () => {
      const h = venue(feeSide, '0', '2');
      h.bar(100, 100, 100, 100);
      const o = h.submit({ side: 'SELL', qty: '2' });
      h.bar(100, 100, 100, 100);
      const p = h.portfolio;
      if (p === undefined) throw new Error('portfolio expected');
      if (sellInBase) {
        expect(rejection(h, o.id)?.code).toBe('ERR_INSUFFICIENT_FUNDS');
        expect(rejection(h, o.id)?.reason).toMatch(/plus its fee/);
        expect(f(p.positionQty('BTC/USDT'))).toBe('2');
      } else {
        expect(h.fills(o)).toHaveLength(1);
        expect(f(p.positionQty('BTC/USDT'))).toBe('0');
        expect(f(p.cash('USDT'))).toBe(f(sub(fx(200), mul(fx(200), TAKER))));
      }
    });

    it(`${feeSide}: at fill time the second of two resting buys ${buyInBase ? 'still fills' : 'is canceled for the fee the first one paid'}`, () => {
      // Each buy alone is fundable on arrival; after the first one fills the cash left covers
      // the second's notional (99) but not its maker fee in quote (0.099).
      const h = venue(feeSide, '199.1', '0');
      h.bar(101, 101, 101, 101);
      const a = h.submit({ side: 'BUY', type: 'LIMIT', qty: '1', price: 100 });
      const b = h.submit({ side: 'BUY', type: 'LIMIT', qty: '1', price: 99 });
      h.bar(101, 101, 98, 98);
      expect(h.fills(a)).toHaveLength(1);
      if (buyInBase) {
        expect(h.fills(b)).toHaveLength(1);
        expect(f(h.portfolio?.cash('USDT') ?? ZERO)).toBe('0.1');
      } else {
        expect(h.fills(b)).toHaveLength(0);
        expect(cancel(h, b.id)?.reason).toBe('ERR_INSUFFICIENT_FUNDS');
      }
    });

    it(`${feeSide}: at fill time the second of two resting sells ${sellInBase ? 'is canceled: the first one’s fee took the coins it needed' : 'still fills'}`, () => {
      // 2.001 coins: each sell of 1 (+ 0.001 maker fee in base) is coverable on arrival, both
      // together are not when their fees are paid in coins.
      const h = venue(feeSide, '0', '2.001');
      h.bar(99, 99, 99, 99);
      const a = h.submit({ side: 'SELL', type: 'LIMIT', qty: '1', price: 100 });
      const b = h.submit({ side: 'SELL', type: 'LIMIT', qty: '1', price: 101 });
      h.bar(99, 102, 99, 102);
      expect(h.fills(a)).toHaveLength(1);
      if (sellInBase) {
        expect(h.fills(b)).toHaveLength(0);
        expect(cancel(h, b.id)?.reason).toBe('ERR_INSUFFICIENT_FUNDS');
        expect(f(h.portfolio?.positionQty('BTC/USDT') ?? ZERO)).toBe('1');
      } else {
        expect(h.fills(b)).toHaveLength(1);
        expect(f(h.portfolio?.positionQty('BTC/USDT') ?? ZERO)).toBe('0.001');
      }
    });
  }

  it('perpetuals settle their fees in the settle currency whatever feeSide says', () => {
    const h = harness({
      instrument: { symbol: 'BTC/USDT:USDT', feeSide: 'get', feeStep: STEP, takerFee: TAKER },
    });
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'BUY', qty: '2' });
    h.bar(100, 101, 99, 100);
    expect(h.fills(o)[0]?.feeCurrency).toBe('USDT');
    expect(f(h.fills(o)[0]?.fee ?? ZERO)).toBe(f(mul(fx(200), TAKER)));
  });

  it('refuses an instrument with an unknown feeSide or a negative feeStep, with a coded error', () => {
    expect(() => makeInstrument({ symbol: 'X/Y', feeSide: 'both' as FeeSide })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INSTRUMENT' }),
    );
    expect(() => makeInstrument({ symbol: 'X/Y', feeStep: '-0.1' })).toThrow(/feeStep/);
  });
});
