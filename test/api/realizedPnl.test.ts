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
});
