import { describe, expect, it } from 'vitest';
import { ZERO, parseFixed, toFixed } from '../../src/core/Fixed.js';
import { makeInstrument } from '../../src/model/Instrument.js';
import { Portfolio } from '../../src/portfolio/Portfolio.js';

const BTC = makeInstrument({ symbol: 'BTC/USDT', tickSize: '0.01', lotSize: '0.00000001' });
const ETH = makeInstrument({ symbol: 'ETH/USDT', tickSize: '0.01', lotSize: '0.0001' });
const instrument = (s: string) => (s === 'BTC/USDT' ? BTC : ETH);

describe('Portfolio.restorePositions (restart from a ledger snapshot)', () => {
  it('counts restored positions in equity at their entry price until the market prices them', () => {
    const p = new Portfolio('USDT', { USDT: '6000.0001365065662' }, instrument);
    p.restorePositions([
      {
        symbol: 'BTC/USDT',
        qty: parseFixed('0.13492542'),
        costBasis: parseFixed('3996.0038596338'),
        realizedPnl: ZERO,
      },
      { symbol: 'ETH/USDT', qty: ZERO, costBasis: ZERO, realizedPnl: parseFixed('-3.5') },
    ]);
    // Cash plus the position at cost: what the account held when it stopped, less nothing.
    expect(p.equity()).toBeCloseTo(6000.0001365065662 + 3996.0038596338, 8);
    expect(p.hasExposure()).toBe(true);
    expect(p.ledger.realizedPnl()).toBe(parseFixed('-3.5'));
    // The first price values it at market.
    p.updatePrice('BTC/USDT', 30_000);
    expect(p.equity()).toBeCloseTo(6000.0001365065662 + 0.13492542 * 30_000, 8);
  });

  it('adjustCash moves the equity the strategies and breakers see, not only the ledger', () => {
    const p = new Portfolio('USDT', { USDT: 1000 }, instrument);
    p.adjustCash('USDT', toFixed(-250));
    expect(p.cash()).toBe(toFixed(750));
    expect(p.equity()).toBe(750);
  });
});
