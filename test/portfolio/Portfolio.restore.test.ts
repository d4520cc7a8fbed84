import { describe, expect, it } from 'vitest';
import { ZERO, formatFixed, parseFixed, toFixed } from '../../src/core/Fixed.js';
import type { OrderFilled } from '../../src/model/events.js';
import { makeInstrument } from '../../src/model/Instrument.js';
import { MarginMode } from '../../src/model/MarginMode.js';
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

  it('an isolated perpetual keeps its margin behind it after a restart (at entry, at the configured leverage)', () => {
    const PERP = makeInstrument({ symbol: 'BTC/USDT:USDT', maintenanceRate: '0.005' });
    const p = new Portfolio('USDT', { USDT: 1000 }, () => PERP);
    p.restorePositions([
      { symbol: PERP.symbol, qty: toFixed(10), costBasis: toFixed(1000), realizedPnl: ZERO },
    ]);
    // Live mode sets the exchange's leverage after the restore, as liveVariant does.
    p.margin.configure(PERP.symbol, { leverage: 10, mode: MarginMode.ISOLATED });
    const m = p.margin;
    expect(formatFixed(m.isolatedMargin(PERP.symbol))).toBe('100');
    expect(formatFixed(m.crossWallet('USDT'))).toBe('900');
    expect(formatFixed(m.availableBalance('USDT'))).toBe('900');
    // 1000 of margin is more than is free: refused (counted as 0, the margin was lent out again).
    expect(m.marginShortfall(PERP, 'BUY', toFixed(100), toFixed(100), ZERO)).toEqual({
      required: toFixed(1000),
      available: toFixed(900),
    });
    // Long 10 at 100 with 100 behind it: liquidated near 90.45, not above its entry.
    const lp = m.liquidationPrice(PERP.symbol);
    expect(lp !== undefined && lp > toFixed('90.45') && lp < toFixed('90.46')).toBe(true);
    // A partial close releases its share of that margin.
    const fill: OrderFilled = {
      type: 'OrderFilled',
      eventId: 'e1',
      orderId: 'O1',
      strategyId: 's',
      symbol: PERP.symbol,
      ts: 0,
      tradeId: 'T1',
      side: 'SELL',
      lastQty: toFixed(5),
      lastPx: toFixed(110),
      fee: ZERO,
      feeCurrency: 'USDT',
      liquidity: 'TAKER',
    };
    p.applyFill(fill);
    expect(formatFixed(m.isolatedMargin(PERP.symbol))).toBe('50');
    expect(formatFixed(m.crossWallet('USDT'))).toBe('1000');
  });
});
