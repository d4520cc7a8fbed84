import { describe, expect, it } from 'vitest';
import type { SyntheticStartInput } from '../../src/app/syntheticStart.js';
import { planSyntheticStart } from '../../src/app/syntheticStart.js';

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 10, 12, 0, 0);

function input(over: Partial<SyntheticStartInput> = {}): SyntheticStartInput {
  return {
    symbols: ['BTC/USDT', 'ETH/USDT'],
    timeframe: '1m',
    now: T0 + 30_000,
    historyBars: 120,
    marks: [],
    lastFills: [],
    defaultPrice: (s) => (s.startsWith('BTC') ? 30_000 : 2_000),
    seed: 7,
    ...over,
  };
}

describe('planSyntheticStart', () => {
  it('starts a fresh database historyBars before now, at the default prices and the configured seed', () => {
    const p = planSyntheticStart(input());
    expect(p).toMatchObject({ startTs: T0 - 120 * MIN, resumed: false, seed: 7, skippedBars: 0 });
    expect([...p.prices]).toEqual([
      ['BTC/USDT', 30_000],
      ['ETH/USDT', 2_000],
    ]);
  });

  it('continues right after the last stored bar, from each symbol’s last close', () => {
    const p = planSyntheticStart(
      input({
        marks: [
          { symbol: 'BTC/USDT', timeframe: '1m', ts: T0 - 40 * MIN, close: 31_111.5 },
          { symbol: 'ETH/USDT', timeframe: '1m', ts: T0 - 40 * MIN, close: 1_987.25 },
        ],
      }),
    );
    expect(p).toMatchObject({ startTs: T0 - 39 * MIN, resumed: true, skippedBars: 0 });
    expect(p.prices.get('BTC/USDT')).toBe(31_111.5);
    expect(p.prices.get('ETH/USDT')).toBe(1_987.25);
    expect(p.seed).not.toBe(7);
  });

  it('catches up at most historyBars after a long stop, leaving the rest of the stop out', () => {
    const p = planSyntheticStart(
      input({ marks: [{ symbol: 'BTC/USDT', timeframe: '1m', ts: T0 - 1_000 * MIN, close: 29_000 }] }),
    );
    expect(p).toMatchObject({ startTs: T0 - 120 * MIN, skippedBars: 999 - 120 });
    expect(p.prices.get('BTC/USDT')).toBe(29_000);
    // A symbol the last run did not have starts at its default price, at the same time.
    expect(p.prices.get('ETH/USDT')).toBe(2_000);
  });

  it('falls back to the last fills of a database written before the marks were kept', () => {
    const p = planSyntheticStart(
      input({
        lastFills: [
          { symbol: 'BTC/USDT', price: 30_500, ts: T0 - 10 * MIN },
          { symbol: 'SOL/USDT', price: 99, ts: T0 - 5 * MIN },
        ],
      }),
    );
    // After every stored fill, of any symbol.
    expect(p).toMatchObject({ startTs: T0 - 5 * MIN, resumed: true });
    expect(p.prices.get('BTC/USDT')).toBe(30_500);
    expect(p.prices.has('SOL/USDT')).toBe(false);
  });

  it('takes the newer of a symbol’s mark and last fill for its price', () => {
    const p = planSyntheticStart(
      input({
        marks: [{ symbol: 'BTC/USDT', timeframe: '1m', ts: T0 - 60 * MIN, close: 30_000 }],
        lastFills: [{ symbol: 'BTC/USDT', price: 64_000, ts: T0 - 3 * MIN }],
      }),
    );
    expect(p.startTs).toBe(T0 - 3 * MIN);
    expect(p.prices.get('BTC/USDT')).toBe(64_000);
  });

  it('never starts ahead of the clock: stored times beyond it are reported and the market starts at the clock', () => {
    const p = planSyntheticStart(
      input({
        marks: [{ symbol: 'BTC/USDT', timeframe: '1m', ts: T0 + 5 * 24 * 60 * MIN, close: 33_000 }],
      }),
    );
    expect(p).toMatchObject({ startTs: T0 - 120 * MIN, storedAheadOfClock: T0 + (5 * 24 * 60 + 1) * MIN });
    expect(p.prices.get('BTC/USDT')).toBe(33_000);
  });

  it('continues on the grid of a changed timeframe, after the end of the stored bar', () => {
    const p = planSyntheticStart(
      input({
        timeframe: '5m',
        marks: [{ symbol: 'BTC/USDT', timeframe: '1m', ts: T0 - 31 * MIN, close: 30_100 }],
      }),
    );
    expect(p.startTs).toBe(T0 - 30 * MIN);
  });
});
