import { describe, expect, it } from 'vitest';
import { formatFixed, toFixed } from '../../src/core/Fixed.js';
import { makeInstrument } from '../../src/model/Instrument.js';
import type { LedgerFill } from '../../src/portfolio/Ledger.js';
import { Ledger } from '../../src/portfolio/Ledger.js';

const SPOT = makeInstrument({ symbol: 'BTC/USDT' });
const PERP = makeInstrument({ symbol: 'ETH/USDT:USDT' });
const f = formatFixed;

function fill(side: 'BUY' | 'SELL', qty: string, px: string, fee: string, feeCurrency: string): LedgerFill {
  return { side, qty: toFixed(qty), px: toFixed(px), fee: toFixed(fee), feeCurrency };
}

describe('Ledger.feesInSettle: every fee as a cost in the settle currency', () => {
  it('values a fee taken in the coin at its fill price, adds fees in the settle currency as charged', () => {
    const l = new Ledger({ USDT: 10_000 });
    l.applyFill(SPOT, fill('BUY', '0.1', '30000', '0.0001', 'BTC')); // 3 USDT worth of coins
    l.applyFill(SPOT, fill('SELL', '0.05', '32000', '0.00005', 'BTC')); // 1.6 USDT
    l.applyFill(SPOT, fill('SELL', '0.01', '31000', '0.31', 'USDT'));
    l.applyFill(SPOT, fill('BUY', '0.01', '31000', '-0.01', 'USDT')); // a maker rebate
    expect(f(l.feesInSettle('USDT'))).toBe('4.9');
    // feesPaid still keeps each fee in the currency it was charged in.
    expect(f(l.feesPaid('BTC'))).toBe('0.00015');
    expect(f(l.feesPaid('USDT'))).toBe('0.3');
    expect(l.feesUnvalued().size).toBe(0);
  });

  it('keeps a perpetual fee in its settle currency and a third-currency fee apart, unvalued', () => {
    const l = new Ledger({ USDT: 10_000 });
    l.applyFill(PERP, fill('BUY', '1', '2000', '0.8', 'USDT'));
    l.applyFill(SPOT, fill('BUY', '0.01', '30000', '0.0002', 'BNB'));
    l.applyFill(SPOT, fill('SELL', '0.01', '30000', '0.0003', 'BNB'));
    expect(f(l.feesInSettle('USDT'))).toBe('0.8');
    expect([...l.feesUnvalued()].map(([c, a]) => [c, f(a)])).toEqual([['BNB', '0.0005']]);
    expect(f(l.feesPaid('BNB'))).toBe('0.0005');
  });
});
