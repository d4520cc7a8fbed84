import { describe, expect, it } from 'vitest';
import { formatFixed, toFixed } from '../../src/core/Fixed.js';
import { isQtsError } from '../../src/core/QtsError.js';
import { makeInstrument } from '../../src/model/Instrument.js';
import {
  bankruptcyPrice,
  initialMargin,
  liquidationPrice,
  maintenanceMargin,
  tierFor,
} from '../../src/portfolio/marginMath.js';

const f = toFixed;
const PERP = makeInstrument({ symbol: 'BTC/USDT:USDT', maintenanceRate: '0.004' });
/** Binance BTCUSDT's first two brackets (2021): 0.4 % up to 50 000, then 0.5 % with cum 50. */
const TIERED = makeInstrument({
  symbol: 'BTC/USDT:USDT',
  maintenanceTiers: [
    { notionalFloor: 0, notionalCap: 50_000, rate: '0.004' },
    { notionalFloor: 50_000, notionalCap: 250_000, rate: '0.005', maintenanceAmount: 50 },
    { notionalFloor: 250_000, rate: '0.01', maintenanceAmount: 1300 },
  ],
});

describe('margin math (Binance USDⓈ-M formulas)', () => {
  it('initial margin = notional / leverage', () => {
    // 2 BTC at 30 000 = 60 000 notional; at 20x: 3 000.
    expect(formatFixed(initialMargin(f(60_000), 20))).toBe('3000');
    // 1 000 XRP at 1.1941 at 3x: 1194.1 / 3 = 398.0333… rounded half-even at 16 places.
    expect(formatFixed(initialMargin(f(1194.1), 3))).toBe('398.0333333333333333');
  });

  it('perpetual instruments default to 125x, a 0.5 % flat maintenance rate and a 1.25 % clearance fee; spot keeps 1x', () => {
    const p = makeInstrument({ symbol: 'XRP/USDT:USDT' });
    expect(p.maxLeverage).toBe(125);
    expect(p.maintenanceTiers.map((t) => formatFixed(t.rate))).toEqual(['0.005']);
    expect(formatFixed(p.liquidationFeeRate)).toBe('0.0125');
    expect(makeInstrument({ symbol: 'XRP/USDT' }).maxLeverage).toBe(1);
  });

  it('maintenance margin = notional × rate − cum of the bracket the notional falls in', () => {
    expect(formatFixed(maintenanceMargin(TIERED, f(40_000)))).toBe('160'); // 40 000 × 0.4 %
    expect(formatFixed(tierFor(TIERED, f(50_000)).rate)).toBe('0.005');
    // 100 000 × 0.5 % − 50 = 450; continuous at the bracket edge: 50 000 × 0.4 % = 50 000 × 0.5 % − 50 = 200.
    expect(formatFixed(maintenanceMargin(TIERED, f(100_000)))).toBe('450');
    expect(formatFixed(maintenanceMargin(TIERED, f(50_000)))).toBe('200');
    expect(formatFixed(maintenanceMargin(TIERED, f(-300_000)))).toBe('1700'); // shorts by |notional|
  });

  it('brackets that do not start at 0 or leave holes are refused with a code', () => {
    try {
      makeInstrument({
        symbol: 'X/USDT:USDT',
        maintenanceTiers: [
          { notionalFloor: 0, notionalCap: 10, rate: '0.01' },
          { notionalFloor: 20, rate: '0.02' },
        ],
      });
      expect.unreachable();
    } catch (e) {
      expect(isQtsError(e, 'ERR_INVALID_INSTRUMENT')).toBe(true);
    }
  });

  it('isolated long: LP = (C − M − cum) / (q × (1 − MMR)), hand-computed', () => {
    // 1 BTC long at 30 000, 10x isolated: M = 3 000. LP = (30 000 − 3 000) / (1 × 0.996) = 27 108.43373493975903614…
    const lp = liquidationPrice(PERP, f(1), f(30_000), f(3000));
    expect(formatFixed(lp!)).toBe('27108.4337349397590361');
    // At LP the margin balance equals the maintenance margin (to rounding of the division).
    const balance = 3000 + (Number(formatFixed(lp!)) - 30_000);
    expect(balance).toBeCloseTo(Number(formatFixed(lp!)) * 0.004, 9);
    // Bankruptcy: margin balance 0 at (C − M) / q = 27 000.
    expect(formatFixed(bankruptcyPrice(f(1), f(30_000), f(3000))!)).toBe('27000');
  });

  it('isolated short: LP = (M + cum − C) / (|q| × MMR − q) with C = q × EP < 0, hand-computed', () => {
    // 2 BTC short at 30 000 (C = −60 000), 5x: M = 12 000. LP = (12 000 + 60 000) / (2 × 0.004 + 2) = 72 000 / 2.008.
    const lp = liquidationPrice(PERP, f(-2), f(-60_000), f(12_000));
    expect(formatFixed(lp!)).toBe('35856.5737051792828685');
  });

  it('tiered: the bracket of the notional at the liquidation price is used', () => {
    // 3 BTC long at 30 000 (notional 90 000), 50x: M = 1 800. In bracket 2 (0.5 %, cum 50):
    // LP = (90 000 − 1 800 − 50) / (3 × 0.995) = 88 150 / 2.985 = 29 530.98827470686767…; notional 88 593 is in bracket 2.
    const lp = liquidationPrice(TIERED, f(3), f(90_000), f(1800));
    expect(formatFixed(lp!)).toBe('29530.9882747068676717');
  });

  it('a position backed by more than its notional never liquidates', () => {
    expect(liquidationPrice(PERP, f(1), f(30_000), f(40_000))).toBeUndefined();
  });
});
