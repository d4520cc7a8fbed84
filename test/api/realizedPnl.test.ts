import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { realizedPnl } from '../../src/api/engine/realizedPnl.js';
import type { PnlFill } from '../../src/api/engine/realizedPnl.js';
import type { Fixed } from '../../src/core/Fixed.js';
import { ZERO, add, formatFixed, toFixed } from '../../src/core/Fixed.js';
import { makeInstrument } from '../../src/model/Instrument.js';
import { Ledger } from '../../src/portfolio/Ledger.js';

const DAY = 86_400_000;
const symbols = ['BTC/USDT', 'ETH/USDT'] as const;
const perp = (s: string) => makeInstrument({ symbol: `${s}:USDT`, kind: 'PERPETUAL' });

const fillArb = fc.record({
  strategyId: fc.constantFrom('a', 'b', 'api'),
  symbol: fc.constantFrom(...symbols),
  side: fc.constantFrom('BUY' as const, 'SELL' as const),
  qty: fc.integer({ min: 1, max: 5_000 }).map((n) => toFixed(n / 1000)),
  px: fc.integer({ min: 1, max: 1_000_000 }).map((n) => toFixed(n / 100)),
  fee: fc.integer({ min: 0, max: 500 }).map((n) => toFixed(n / 1000)),
  dt: fc.integer({ min: 0, max: 2 * DAY }),
});

describe('realized PnL from fills', () => {
  it('equals the ledger to the last unit, and its strategy and day buckets add up to it (longs and shorts)', () => {
    fc.assert(
      fc.property(fc.array(fillArb, { minLength: 1, maxLength: 60 }), (raw) => {
        let ts = 1_700_000_000_000;
        const fills: PnlFill[] = raw.map((f) => {
          ts += f.dt;
          return { ...f, feeCurrency: 'USDT', ts };
        });
        // Perpetuals let positions go short and flip, which exercises every branch of the fold.
        const ledger = new Ledger({ USDT: '1000000000' });
        for (const f of fills) ledger.applyFill(perp(f.symbol), { ...f, feeCurrency: 'USDT' });
        const r = realizedPnl(fills, 'USDT');
        expect(formatFixed(r.realized)).toBe(formatFixed(ledger.realizedPnl()));
        expect(formatFixed(r.fees)).toBe(formatFixed(ledger.feesPaid('USDT')));
        const sum = (xs: Iterable<{ realized: Fixed }>): string =>
          formatFixed([...xs].reduce((s, b) => add(s, b.realized), ZERO));
        expect(sum(r.byStrategy.values())).toBe(formatFixed(r.realized));
        expect(sum(r.byDay.values())).toBe(formatFixed(r.realized));
        expect([...r.byStrategy.values()].reduce((n, b) => n + b.fills, 0)).toBe(fills.length);
      }),
      { numRuns: 300 },
    );
  });

  it('credits a window [from, to) but keeps the cost basis of earlier fills', () => {
    const f = (side: 'BUY' | 'SELL', qty: string, px: string, ts: number): PnlFill => ({
      strategyId: 's',
      symbol: 'BTC/USDT',
      side,
      qty: toFixed(qty),
      px: toFixed(px),
      fee: ZERO,
      feeCurrency: 'USDT',
      ts,
    });
    const fills = [f('BUY', '2', '100', 0), f('SELL', '1', '130', DAY), f('SELL', '1', '90', 2 * DAY)];
    const all = realizedPnl(fills, 'USDT');
    const day2 = realizedPnl(fills, 'USDT', { from: DAY, to: 2 * DAY });
    const ledger = new Ledger({ USDT: '1000' });
    for (const x of fills) ledger.applyFill(makeInstrument({ symbol: 'BTC/USDT' }), x);
    expect(formatFixed(all.realized)).toBe(formatFixed(ledger.realizedPnl()));
    // Only the second fill is credited, at the first fill's average cost: (130 − 100) × 1.
    expect(formatFixed(day2.realized)).toBe('30');
    expect([...day2.byDay.keys()]).toEqual([`${new Date(DAY).toISOString().slice(0, 10)}|s`]);
  });

  it('books spot fees taken in the bought coin as the ledger does, whoever sells next', () => {
    // Strategy a buys 1 BTC at 100 paying 0.001 BTC (Binance spot); b sells the 0.999 delivered
    // at 110: 109.89 − 100 realized, all of the position closed. The replay that ignored the
    // coin fee credited b with 9.99 and kept a phantom 0.001 BTC costing 0.1.
    const btc = makeInstrument({ symbol: 'BTC/USDT' });
    const fills: PnlFill[] = [
      {
        strategyId: 'a',
        symbol: 'BTC/USDT',
        side: 'BUY',
        qty: toFixed('1'),
        px: toFixed('100'),
        fee: toFixed('0.001'),
        feeCurrency: 'BTC',
        ts: 1,
      },
      {
        strategyId: 'b',
        symbol: 'BTC/USDT',
        side: 'SELL',
        qty: toFixed('0.999'),
        px: toFixed('110'),
        fee: ZERO,
        feeCurrency: 'USDT',
        ts: 2,
      },
    ];
    const ledger = new Ledger({ USDT: '1000' });
    for (const f of fills) ledger.applyFill(btc, f);
    const r = realizedPnl(fills, 'USDT');
    expect(formatFixed(ledger.realizedPnl())).toBe('9.89');
    expect(formatFixed(r.realized)).toBe('9.89');
    expect(formatFixed(r.byStrategy.get('b')?.realized ?? ZERO)).toBe('9.89');
  });

  it('equals the ledger on spot fills with fees in the base coin, the quote or both', () => {
    const btc = makeInstrument({ symbol: 'BTC/USDT' });
    const spotArb = fc.record({
      strategyId: fc.constantFrom('a', 'b'),
      buy: fc.boolean(),
      qty: fc.integer({ min: 1, max: 5_000 }).map((n) => toFixed(n / 1000)),
      px: fc.integer({ min: 1, max: 1_000_000 }).map((n) => toFixed(n / 100)),
      feeMilli: fc.integer({ min: 0, max: 3 }),
      inCoin: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(spotArb, { minLength: 1, maxLength: 60 }), (raw) => {
        const ledger = new Ledger({ USDT: '1000000000' });
        const booked: PnlFill[] = [];
        let ts = 0;
        for (const x of raw) {
          // A fee of up to 0.3 % of the fill, in the coin or in USDT.
          const q = Number(formatFixed(x.qty));
          const fee = x.inCoin
            ? (q * x.feeMilli) / 1000
            : (q * Number(formatFixed(x.px)) * x.feeMilli) / 1000;
          const fill: PnlFill = {
            strategyId: x.strategyId,
            symbol: 'BTC/USDT',
            side: x.buy ? 'BUY' : 'SELL',
            qty: x.qty,
            px: x.px,
            fee: toFixed(fee),
            feeCurrency: x.inCoin ? 'BTC' : 'USDT',
            ts: ts++,
          };
          // A sell of more than is held (or a coin fee past it) is refused by the ledger: not a fill.
          try {
            ledger.applyFill(btc, fill);
          } catch {
            continue;
          }
          booked.push(fill);
        }
        const r = realizedPnl(booked, 'USDT');
        expect(formatFixed(r.realized)).toBe(formatFixed(ledger.realizedPnl()));
        expect(formatFixed(r.fees)).toBe(formatFixed(ledger.feesPaid('USDT')));
      }),
      { numRuns: 300 },
    );
  });
});
