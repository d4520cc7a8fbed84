import { describe, expect, it } from 'vitest';
import { formatFixed, toFixed } from '../../src/core/Fixed.js';
import { isQtsError } from '../../src/core/QtsError.js';
import type { OrderFilled } from '../../src/model/events.js';
import { makeInstrument } from '../../src/model/Instrument.js';
import { Ledger } from '../../src/portfolio/Ledger.js';
import { Portfolio } from '../../src/portfolio/Portfolio.js';

const SPOT = makeInstrument({ symbol: 'BTC/USDT' });
const f = formatFixed;

/** A live Binance spot account with "pay fees with BNB" on reports every commission in BNB. */
describe('Ledger: a spot fee paid in a third currency (BNB)', () => {
  it('books the fill the exchange executed; the fee goes on its own currency line', () => {
    const l = new Ledger({ USDT: 1000 });
    l.applyFill(SPOT, {
      side: 'BUY',
      qty: toFixed('0.01'),
      px: toFixed(30000),
      fee: toFixed('0.00075'),
      feeCurrency: 'BNB',
    });
    expect(f(l.position('BTC/USDT').qty)).toBe('0.01');
    expect(f(l.position('BTC/USDT').costBasis)).toBe('300');
    expect(f(l.balance('USDT'))).toBe('700');
    expect(f(l.feesPaid('BNB'))).toBe('0.00075');
    expect(f(l.feesPaid('USDT'))).toBe('0');
    // Paid from a BNB wallet these books do not hold.
    expect(f(l.balance('BNB'))).toBe('-0.00075');

    l.applyFill(SPOT, {
      side: 'SELL',
      qty: toFixed('0.01'),
      px: toFixed(31000),
      fee: toFixed('0.0008'),
      feeCurrency: 'BNB',
    });
    expect(f(l.position('BTC/USDT').qty)).toBe('0');
    expect(f(l.realizedPnl())).toBe('10');
    expect(f(l.balance('USDT'))).toBe('1010');
    expect(f(l.feesPaid('BNB'))).toBe('0.00155');
    // Equity in the account currency: its cash and positions only.
    expect(
      f(
        l.equity(
          'USDT',
          () => toFixed(31000),
          () => SPOT,
        ),
      ),
    ).toBe('1010');
  });

  it('still refuses a spot buy the quote cash cannot pay, and a sell of coins not held', () => {
    const l = new Ledger({ USDT: 100 });
    for (const bad of [
      { side: 'BUY' as const, qty: toFixed('0.01') },
      { side: 'SELL' as const, qty: toFixed('0.001') },
    ]) {
      let err: unknown;
      try {
        l.applyFill(SPOT, { ...bad, px: toFixed(30000), fee: toFixed('0.0001'), feeCurrency: 'BNB' });
      } catch (e) {
        err = e;
      }
      expect(isQtsError(err, 'ERR_LEDGER_NEGATIVE_BALANCE')).toBe(true);
    }
    expect(f(l.balance('USDT'))).toBe('100');
    expect(f(l.feesPaid('BNB'))).toBe('0');
  });

  it('the portfolio books such a fill as it arrives from a live exchange', () => {
    const p = new Portfolio('USDT', { USDT: 1000 }, () => SPOT);
    const fill: OrderFilled = {
      type: 'OrderFilled',
      eventId: 'e1',
      orderId: 'O1',
      strategyId: 's',
      symbol: 'BTC/USDT',
      ts: 0,
      tradeId: 'T1',
      side: 'BUY',
      lastQty: toFixed('0.01'),
      lastPx: toFixed(30000),
      fee: toFixed('0.00075'),
      feeCurrency: 'BNB',
      liquidity: 'TAKER',
    };
    p.applyFill(fill);
    expect(f(p.positionQty('BTC/USDT'))).toBe('0.01');
    expect(f(p.cash())).toBe('700');
    p.updatePrice('BTC/USDT', 30000);
    expect(f(p.equityExact())).toBe('1000');
    expect(p.equity()).toBe(1000);
  });
});
