/**
 * IsolatedMargins.deductFrom(wallet, currency) takes every booked isolated margin out of the
 * cross wallet of `currency`, whatever the settle currency of its symbol (only the margins
 * taken at entry of restored positions are filtered by it). That is right because an account
 * is one settle currency: MarginAccount is built by Portfolio only, and Portfolio.applyFill
 * refuses a fill settling in another currency (ERR_MULTI_CURRENCY) before the ledger or the
 * margins move, while funding and reconciliation move a margin only behind an open position.
 * This pins that precondition: an account that admits a second settle currency has to filter
 * the booked margins by settle currency too.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Fixed } from '../../src/core/Fixed.js';
import { ZERO, add, sub, toFixed } from '../../src/core/Fixed.js';
import { QtsError } from '../../src/core/QtsError.js';
import type { OrderFilled } from '../../src/model/events.js';
import type { Instrument } from '../../src/model/Instrument.js';
import { makeInstrument } from '../../src/model/Instrument.js';
import { MarginMode } from '../../src/model/MarginMode.js';
import { Portfolio } from '../../src/portfolio/Portfolio.js';

const BTC = makeInstrument({ symbol: 'BTC/USDT:USDT', takerFee: '0.0004' });
const XRP = makeInstrument({ symbol: 'XRP/USDT:USDT', takerFee: '0.0004' });
const ETH = makeInstrument({ symbol: 'ETH/USDC:USDC', takerFee: '0.0004' });
const INST: Record<string, Instrument> = { [BTC.symbol]: BTC, [XRP.symbol]: XRP, [ETH.symbol]: ETH };
const OWN = [BTC.symbol, XRP.symbol];

function fill(symbol: string, side: 'BUY' | 'SELL', qty: Fixed, px: Fixed): OrderFilled {
  const inst = INST[symbol] as Instrument;
  return {
    type: 'OrderFilled',
    eventId: 'e',
    orderId: 'o',
    strategyId: 's',
    symbol,
    ts: 0,
    tradeId: 't',
    side,
    lastQty: qty,
    lastPx: px,
    fee: ZERO,
    feeCurrency: inst.settle,
    liquidity: 'TAKER',
  };
}

const op = fc.record({
  sym: fc.constantFrom(BTC.symbol, XRP.symbol, ETH.symbol),
  side: fc.constantFrom('BUY' as const, 'SELL' as const),
  qty: fc.integer({ min: 1, max: 5000 }).map((n) => toFixed(`${n}e-1`)),
  px: fc.integer({ min: 5_000, max: 2_000_000 }).map((n) => toFixed(`${n}e-4`)),
  fundingRate: fc.integer({ min: -300, max: 300 }).map((n) => toFixed(`${n}e-5`)),
});

describe('isolated margins of an account with perpetuals settling in two currencies', () => {
  it('a fill settling in another currency is refused before any margin is booked for it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(op, { maxLength: 40 }), (leverage, ops) => {
        const p = new Portfolio('USDT', { USDT: 10_000, USDC: 10_000 }, (s) => INST[s] as Instrument, {
          leverage,
          mode: MarginMode.ISOLATED,
        });
        for (const o of ops) {
          if (o.sym === ETH.symbol) {
            const refused = ((): unknown => {
              try {
                p.applyFill(fill(o.sym, o.side, o.qty, o.px));
              } catch (e) {
                return e;
              }
              return undefined;
            })();
            expect(refused).toBeInstanceOf(QtsError);
            expect((refused as QtsError).code).toBe('ERR_MULTI_CURRENCY');
            // Funding of a position that is not there moves no margin either.
            p.margin.onFunding(o.sym, o.fundingRate);
          } else {
            p.applyFill(fill(o.sym, o.side, o.qty, o.px));
          }
          // The foreign perpetual never holds a position nor a margin, and USDC is untouched.
          expect(p.positionQty(ETH.symbol)).toBe(ZERO);
          expect(p.margin.isolatedMargin(ETH.symbol)).toBe(ZERO);
          expect(p.cash('USDC')).toBe(toFixed(10_000));
          // So every booked margin settles in USDT: its cross wallet is its balance minus them.
          let own: Fixed = ZERO;
          for (const s of OWN) own = add(own, p.margin.isolatedMargin(s));
          expect(p.margin.crossWallet('USDT')).toBe(sub(p.cash('USDT'), own));
        }
      }),
      { numRuns: 300 },
    );
  });
});
