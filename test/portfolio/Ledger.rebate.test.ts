import { describe, expect, it } from 'vitest';
import type { Fixed } from '../../src/core/Fixed.js';
import { formatFixed, neg, sub, toFixed } from '../../src/core/Fixed.js';
import { isQtsError } from '../../src/core/QtsError.js';
import { makeInstrument } from '../../src/model/Instrument.js';
import { Ledger } from '../../src/portfolio/Ledger.js';

const f = formatFixed;
const PERP = makeInstrument({ symbol: 'BTC/USDT:USDT' });
const SPOT = makeInstrument({ symbol: 'BTC/USDT' });

/**
 * Venues with a negative maker fee pay a rebate on a resting order's fill; ccxt reports it as
 * a negative fee cost, and the live client passes it on as it is.
 */
describe('Ledger: maker rebates (negative fees)', () => {
  it('a perpetual fill with a rebate credits the wallet and nets it in the fees', () => {
    const l = new Ledger({ USDT: 1000 });
    l.applyFill(PERP, {
      side: 'BUY',
      qty: toFixed(1),
      px: toFixed(30000),
      fee: toFixed(-3),
      feeCurrency: 'USDT',
    });
    expect(f(l.balance('USDT'))).toBe('1003');
    expect(f(l.feesPaid('USDT'))).toBe('-3');
    l.applyFill(PERP, {
      side: 'SELL',
      qty: toFixed(1),
      px: toFixed(30100),
      fee: toFixed(12),
      feeCurrency: 'USDT',
    });
    expect(f(l.realizedPnl())).toBe('100');
    expect(f(l.feesPaid('USDT'))).toBe('9');
    expect(f(l.balance('USDT'))).toBe('1091');
  });

  it('spot: a rebate in the quote adds to cash, one in the coin adds coins; identities exact', () => {
    const start = toFixed(100_000);
    const l = new Ledger({ USDT: start });
    l.applyFill(SPOT, {
      side: 'BUY',
      qty: toFixed(2),
      px: toFixed(30000),
      fee: toFixed('-1.5'),
      feeCurrency: 'USDT',
    });
    expect(f(l.balance('USDT'))).toBe('40001.5');
    const coin = makeInstrument({ symbol: 'BTC/USDT', feeSide: 'base' });
    l.applyFill(coin, {
      side: 'BUY',
      qty: toFixed(1),
      px: toFixed(31000),
      fee: toFixed('-0.0001'),
      feeCurrency: 'BTC',
    });
    expect(f(l.position('BTC/USDT').qty)).toBe('3.0001');
    expect(f(l.position('BTC/USDT').costBasis)).toBe('91000');
    const mark = toFixed(32000);
    const equity = l.equity(
      'USDT',
      () => mark,
      () => SPOT,
    );
    const pnl = (l.realizedPnl() + l.unrealizedPnl('BTC/USDT', mark)) as Fixed;
    expect(sub(pnl, l.feesPaid('USDT'))).toBe(sub(equity, start));
    expect(f(l.feesPaid('BTC'))).toBe('-0.0001');
  });

  it('still refuses a fill without quantity or price', () => {
    const l = new Ledger({ USDT: 1000 });
    for (const bad of [
      { qty: toFixed(0), px: toFixed(1) },
      { qty: toFixed(1), px: neg(toFixed(1)) },
    ]) {
      let err: unknown;
      try {
        l.applyFill(PERP, { side: 'BUY', fee: toFixed(-1), feeCurrency: 'USDT', ...bad });
      } catch (e) {
        err = e;
      }
      expect(isQtsError(err, 'ERR_LEDGER_BAD_FILL')).toBe(true);
    }
    expect(f(l.balance('USDT'))).toBe('1000');
  });
});
