import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Fixed } from '../../src/core/Fixed.js';
import { ZERO, abs, formatFixed, mul, toFixed, toNumber } from '../../src/core/Fixed.js';
import type { Instrument } from '../../src/model/Instrument.js';
import type { OrderFilled } from '../../src/model/events.js';
import { makeInstrument } from '../../src/model/Instrument.js';
import { MarginMode } from '../../src/model/MarginMode.js';
import { Portfolio } from '../../src/portfolio/Portfolio.js';

const PERP = makeInstrument({ symbol: 'BTC/USDT:USDT' });
const OTHER = makeInstrument({ symbol: 'ETH/USDT:USDT', takerFee: '0.0004' });

function fill(side: 'BUY' | 'SELL', qty: Fixed, px: Fixed, symbol = PERP.symbol, fee = ZERO): OrderFilled {
  return {
    type: 'OrderFilled',
    eventId: 'e',
    orderId: 'O',
    strategyId: 's',
    symbol,
    ts: 0,
    tradeId: `T-${side}-${qty}`,
    side,
    lastQty: qty,
    lastPx: px,
    fee,
    feeCurrency: 'USDT',
    liquidity: 'TAKER',
  };
}

describe('MarginAccount: a cross flip out of a losing position', () => {
  it('counts the closed part’s loss once: realized, no longer unrealized', () => {
    const p = new Portfolio('USDT', { USDT: 1000 }, () => PERP, { leverage: 10, mode: MarginMode.CROSS });
    p.applyFill(fill('BUY', toFixed(10), toFixed(100)));
    p.updatePrice(PERP.symbol, 90);
    const m = p.margin;
    // Wallet 1000, unrealized −100, initial margin 90 at the mark.
    expect(formatFixed(m.availableBalance('USDT'))).toBe('810');
    // Sell 105 at 90: closing 10 realizes −100 (wallet 900, nothing open), then a short of 95
    // needs 855 of margin: the account can carry it.
    expect(m.marginShortfall(PERP, 'SELL', toFixed(105), toFixed(90), ZERO)).toBeUndefined();
    // A short of 101 needs 909: more than the 900 left.
    expect(m.marginShortfall(PERP, 'SELL', toFixed(111), toFixed(90), ZERO)).toEqual({
      required: toFixed(909),
      available: toFixed(900),
    });
    // Booked, the admitted flip leaves the account able to margin what it holds.
    p.applyFill(fill('SELL', toFixed(105), toFixed(90)));
    expect(formatFixed(p.cash())).toBe('900');
    expect(formatFixed(m.availableBalance('USDT'))).toBe('45');
  });

  it('a flip out of a winning position does not lend out the profit that offset another position’s loss', () => {
    const inst = (s: string): Instrument => (s === PERP.symbol ? PERP : OTHER);
    const p = new Portfolio('USDT', { USDT: 1000 }, inst, { leverage: 10, mode: MarginMode.CROSS });
    p.applyFill(fill('BUY', toFixed(10), toFixed(100)));
    p.applyFill(fill('BUY', toFixed(10), toFixed(50), OTHER.symbol));
    p.updatePrice(PERP.symbol, 80);
    p.updatePrice(OTHER.symbol, 70);
    const m = p.margin;
    // Unrealized −200 and +200 net to 0; initial margin 80 + 70.
    expect(formatFixed(m.availableBalance('USDT'))).toBe('850');
    // Selling 160 ETH at 70 realizes +200 (wallet 1200) and leaves the −200 of BTC alone
    // against it: 1200 − 200 − 80 = 920 free, less than the 1050 a short of 150 needs.
    expect(m.marginShortfall(OTHER, 'SELL', toFixed(160), toFixed(70), ZERO)).toEqual({
      required: toFixed(1050),
      available: toFixed(920),
    });
    expect(m.marginShortfall(OTHER, 'SELL', toFixed(140), toFixed(70), ZERO)).toBeUndefined();
  });

  it('an admitted order at the mark leaves the cross account able to margin what it holds (property)', () => {
    const inst: Record<string, Instrument> = { [PERP.symbol]: PERP, [OTHER.symbol]: OTHER };
    const op = fc.record({
      symbol: fc.constantFrom(PERP.symbol, OTHER.symbol),
      move: fc.integer({ min: -500, max: 500 }),
      side: fc.constantFrom('BUY' as const, 'SELL' as const),
      qty: fc.integer({ min: 1, max: 3000 }).map((n) => toFixed(`${n}e-1`)),
    });
    let flips = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(op, { minLength: 1, maxLength: 40 }),
        (lev, ops) => {
          const p = new Portfolio('USDT', { USDT: 10_000 }, (s) => inst[s] as Instrument, {
            leverage: lev,
            mode: MarginMode.CROSS,
          });
          const marks: Record<string, Fixed> = { [PERP.symbol]: toFixed(100), [OTHER.symbol]: toFixed(50) };
          for (const [i, o] of ops.entries()) {
            // The market moves by up to ±5 %, in cents; the order trades at the new mark.
            const before = marks[o.symbol] as Fixed;
            const px = toFixed(Math.max(1, Math.round(toNumber(before) * (10_000 + o.move)) / 10_000));
            marks[o.symbol] = px;
            p.updatePrice(o.symbol, toNumber(px));
            const i0 = inst[o.symbol] as Instrument;
            const fee = mul(mul(o.qty, px), i0.takerFee);
            const held = p.positionQty(o.symbol);
            const opens = held === ZERO || held > 0n === (o.side === 'BUY') || o.qty > abs(held);
            if (!opens || p.margin.marginShortfall(i0, o.side, o.qty, px, fee) !== undefined) continue;
            if (held !== ZERO && held > 0n !== (o.side === 'BUY')) flips++;
            p.applyFill({ ...fill(o.side, o.qty, px, o.symbol, fee), tradeId: `T${i}` });
            expect(p.margin.availableBalance('USDT') >= 0n).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
    expect(flips).toBeGreaterThan(100);
  });
});
