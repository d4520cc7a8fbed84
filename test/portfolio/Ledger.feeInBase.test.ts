import { describe, expect, it } from 'vitest';
import { formatFixed, toFixed } from '../../src/core/Fixed.js';
import type { Fixed } from '../../src/core/Fixed.js';
import { makeInstrument } from '../../src/model/Instrument.js';
import { Ledger } from '../../src/portfolio/Ledger.js';

const f = (x: Fixed): string => formatFixed(x);
const fx = toFixed;
// An exchange charging the fee in the coin given: a sell pays it in BTC on top of what it sells.
const inst = makeInstrument({ symbol: 'BTC/USDT', feeSide: 'give' });

describe('Ledger: spot fees paid in the base coin', () => {
  it('a sell whose base fee takes the last coins leaves no cost behind: it is realized', () => {
    const l = new Ledger({ USDT: 2000 });
    l.applyFill(inst, { side: 'BUY', qty: fx('10.01'), px: fx(100), fee: fx('1.001'), feeCurrency: 'USDT' });
    // Sells 10 and pays 0.01 BTC: nothing left.
    l.applyFill(inst, { side: 'SELL', qty: fx(10), px: fx(110), fee: fx('0.01'), feeCurrency: 'BTC' });
    const pos = l.position('BTC/USDT');
    expect(f(pos.qty)).toBe('0');
    expect(f(pos.costBasis)).toBe('0');
    // All 10.01 coins cost 1001 and brought 1100: the coin paid as fee is part of the loss side.
    expect(f(l.realizedPnl())).toBe('99');
    expect(f(l.balance('USDT'))).toBe(f(fx(2000 - 1001 - 1.001 + 1100)));
    expect(f(l.feesPaid('BTC'))).toBe('0.01');

    // A new position starts from its own cost, not the old one's leftovers.
    l.applyFill(inst, { side: 'BUY', qty: fx(1), px: fx(50), fee: fx('0.05'), feeCurrency: 'USDT' });
    expect(f(l.position('BTC/USDT').costBasis)).toBe('50');
    // equity − start = realized + unrealized − fees in the account currency.
    const mark = fx(60);
    const equity = l.equity(
      'USDT',
      () => mark,
      () => inst,
    );
    const unrealized = l.unrealizedPnl('BTC/USDT', mark);
    expect(f((equity - fx(2000)) as Fixed)).toBe(
      f((l.realizedPnl() + unrealized - l.feesPaid('USDT')) as Fixed),
    );
  });

  it('a buy whose base fee comes out of the coins keeps the whole cost on the coins held', () => {
    const get = makeInstrument({ symbol: 'BTC/USDT', feeSide: 'get' });
    const l = new Ledger({ USDT: 1000 });
    l.applyFill(get, { side: 'BUY', qty: fx(5), px: fx(100), fee: fx('0.005'), feeCurrency: 'BTC' });
    expect(f(l.position('BTC/USDT').qty)).toBe('4.995');
    expect(f(l.position('BTC/USDT').costBasis)).toBe('500');
    expect(f(l.balance('USDT'))).toBe('500');
  });
});
