import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isQtsError } from '../../src/core/QtsError.js';
import { loadBarSeries } from '../../src/data/loadBarSeries.js';
import { resample } from '../../src/data/resample.js';
import { compareTradeIds, TradeBarBuilder } from '../../src/data/TradeBarBuilder.js';
import type { Bar, Trade } from '../../src/model/Bar.js';
import { barAt } from '../../src/model/BarSeries.js';
import { loadBars, loadTrades, XRP_ETH_1M, XRP_ETH_TRADES } from '../marketdata/fixtures.js';
import { HAS_SHARED_DATA } from '../support/sharedData.js';

const MIN = 60_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % (60 * MIN));

function trade(id: number, ts: number, price: number, amount = 1): Trade {
  return { symbol: 'X/Y', ts, id: String(id), price, amount, side: 'BUY' };
}

/** Every closed bar of a stream fed in one go, the last bar closed at the end. */
function buildAll(trades: readonly Trade[], timeframe = '1m'): Bar[] {
  const b = new TradeBarBuilder(trades[0]?.symbol ?? 'X/Y', timeframe);
  const out: Bar[] = [];
  for (const t of trades) {
    const r = b.add(t);
    if (r.closed) out.push(r.closed);
  }
  const last = b.closeUpTo(Infinity);
  if (last) out.push(last);
  return out;
}

describe('TradeBarBuilder', () => {
  it('forms a bar, updates it, closes it once when a later bucket starts', () => {
    const b = new TradeBarBuilder('X/Y', '1m');
    expect(b.current()).toBeUndefined();
    expect(b.add(trade(1, T0 + 1_000, 10, 2))).toEqual({ status: 'applied', closed: undefined });
    b.add(trade(2, T0 + 2_000, 12, 1));
    b.add(trade(3, T0 + 3_000, 9, 0.5));
    expect(b.current()).toEqual({
      symbol: 'X/Y',
      timeframe: '1m',
      ts: T0,
      open: 10,
      high: 12,
      low: 9,
      close: 9,
      volume: 3.5,
      closed: false,
    });
    const r = b.add(trade(4, T0 + MIN + 5, 11));
    expect(r.status).toBe('applied');
    expect(r.closed).toMatchObject({ ts: T0, close: 9, volume: 3.5, closed: true });
    expect(b.current()).toMatchObject({ ts: T0 + MIN, open: 11, close: 11, closed: false });
    expect(b.stats()).toEqual({ applied: 4, duplicates: 0, late: 0, lateVolume: 0, closedBars: 1 });
  });

  it('a quiet period closes the forming bar through closeUpTo, only once its bucket has ended', () => {
    const b = new TradeBarBuilder('X/Y', '1m');
    b.add(trade(1, T0 + 10, 5));
    expect(b.closeUpTo(T0 + MIN - 1)).toBeUndefined();
    expect(b.closeUpTo(T0 + MIN)).toMatchObject({ ts: T0, closed: true });
    expect(b.closeUpTo(T0 + 10 * MIN)).toBeUndefined(); // closed exactly once
    expect(b.current()).toBeUndefined();
    expect(b.lastClosedTs()).toBe(T0);
  });

  it('an empty bucket produces no bar', () => {
    const bars = buildAll([trade(1, T0, 1), trade(2, T0 + 3 * MIN + 1, 2)]);
    expect(bars.map((x) => (x.ts - T0) / MIN)).toEqual([0, 3]);
  });

  it('ignores duplicate ids, also of trades in bars already closed', () => {
    const b = new TradeBarBuilder('X/Y', '1m');
    b.add(trade(1, T0, 1));
    b.add(trade(2, T0 + MIN, 2));
    expect(b.add(trade(2, T0 + MIN, 2)).status).toBe('duplicate');
    expect(b.add(trade(1, T0, 1)).status).toBe('duplicate');
    expect(b.current()).toMatchObject({ volume: 1 });
    expect(b.stats()).toMatchObject({ applied: 2, duplicates: 2, late: 0 });
  });

  it('counts late trades of a closed bucket and does not apply them', () => {
    const b = new TradeBarBuilder('X/Y', '1m');
    b.add(trade(1, T0, 1));
    const closed = b.add(trade(3, T0 + MIN, 2)).closed;
    expect(b.add(trade(2, T0 + 59_000, 100, 7))).toEqual({ status: 'late', closed: undefined });
    expect(closed).toMatchObject({ high: 1, volume: 1 });
    expect(b.current()).toMatchObject({ high: 2, volume: 1 });
    expect(b.stats()).toMatchObject({ late: 1, lateVolume: 7 });
    b.closeUpTo(T0 + 2 * MIN);
    expect(b.add(trade(4, T0 + MIN + 1, 3)).status).toBe('late');
  });

  it('within the forming bucket, open and close follow (time, id), not arrival', () => {
    const b = new TradeBarBuilder('X/Y', '1m');
    b.add(trade(11, T0 + 500, 3));
    b.add(trade(9, T0 + 100, 1));
    b.add(trade(10, T0 + 100, 2));
    b.add(trade(12, T0 + 500, 4));
    expect(b.current()).toMatchObject({ open: 1, close: 4, high: 4, low: 1, volume: 4 });
  });

  it('aligns buckets to the epoch for any timeframe (weeks to Monday)', () => {
    const monday = Date.UTC(2024, 0, 1); // a Monday
    const bars = buildAll([trade(1, monday + 3 * 86_400_000, 1), trade(2, monday + 8 * 86_400_000, 2)], '1w');
    expect(bars.map((x) => x.ts)).toEqual([monday, monday + 7 * 86_400_000]);
    const h4 = buildAll([trade(1, monday + 5 * 3_600_000 + 7, 1)], '4h');
    expect(h4[0]?.ts).toBe(monday + 4 * 3_600_000);
  });

  it('refuses another symbol, a bad timeframe and non-finite trades with coded errors', () => {
    const b = new TradeBarBuilder('X/Y', '1m');
    expect(() => b.add({ ...trade(1, T0, 1), symbol: 'A/B' })).toThrow(
      expect.objectContaining({ code: 'ERR_DATA_MISMATCH' }),
    );
    expect(() => b.add(trade(1, T0, Number.NaN))).toThrow(
      expect.objectContaining({ code: 'ERR_DATA_PARSE' }),
    );
    let err: unknown;
    try {
      new TradeBarBuilder('X/Y', '7x');
    } catch (e) {
      err = e;
    }
    expect(isQtsError(err, 'ERR_DATA_TIMEFRAME')).toBe(true);
  });

  it('orders numeric ids as numbers', () => {
    expect(compareTradeIds('9', '10')).toBeLessThan(0);
    expect(compareTradeIds('010', '9')).toBeGreaterThan(0);
    expect(compareTradeIds('007', '7')).toBe(0);
    expect(compareTradeIds('abc', 'abd')).toBeLessThan(0);
  });
});

// Streams of trades with consecutive ids, increasing times (several per bucket, some quiet
// buckets) and amounts that are not exact binary fractions, so float summation order shows.
const tradeStream = fc
  .array(
    fc.record({
      dt: fc.oneof(fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 5 * MIN })),
      price: fc.integer({ min: 1, max: 1000 }),
      lots: fc.integer({ min: 1, max: 999 }),
    }),
    { minLength: 1, maxLength: 200 },
  )
  .map((rows) => {
    let ts = T0;
    return rows.map((r, i) => {
      ts += r.dt;
      return trade(1000 + i, ts, r.price / 100, r.lots * 0.001);
    });
  });

describe('TradeBarBuilder properties', () => {
  it('any order-preserving split into chunks, with the quiet-bar timer between chunks, gives the same bars', () => {
    fc.assert(
      fc.property(tradeStream, fc.array(fc.nat(), { maxLength: 20 }), (trades, cuts) => {
        const whole = buildAll(trades);
        const b = new TradeBarBuilder('X/Y', '1m');
        const got: Bar[] = [];
        const points = [...new Set(cuts.map((c) => c % trades.length))].sort((x, y) => x - y);
        let from = 0;
        for (const to of [...points, trades.length]) {
          for (const t of trades.slice(from, to)) {
            const r = b.add(t);
            if (r.closed) got.push(r.closed);
          }
          // The timer fires between chunks; exchange time is at most the next trade's time.
          const next = trades[to];
          const closed = b.closeUpTo(next === undefined ? Infinity : next.ts);
          if (closed) got.push(closed);
          from = to;
        }
        expect(got).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('duplicates, wherever they are inserted, never change the bars', () => {
    fc.assert(
      fc.property(tradeStream, fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 50 }), (trades, dups) => {
        const withDups = [...trades];
        // Insert a copy of trade i somewhere after its first appearance.
        for (const [a, c] of dups) {
          const i = a % trades.length;
          const t = trades[i] as Trade;
          const at = withDups.indexOf(t) + 1 + (c % (withDups.length - withDups.indexOf(t)));
          withDups.splice(at, 0, { ...t });
        }
        expect(buildAll(withDups)).toEqual(buildAll(trades));
      }),
      { numRuns: 300 },
    );
  });

  it('any arrival order within each bucket gives the same bars, bit for bit', () => {
    fc.assert(
      fc.property(tradeStream, fc.integer(), (trades, seed) => {
        const byBucket = new Map<number, Trade[]>();
        for (const t of trades) {
          const k = Math.floor(t.ts / MIN);
          byBucket.set(k, [...(byBucket.get(k) ?? []), t]);
        }
        let s = seed >>> 0;
        const shuffled = [...byBucket.values()].flatMap((group) => {
          const g = [...group];
          for (let i = g.length - 1; i > 0; i--) {
            s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
            const j = s % (i + 1);
            [g[i], g[j]] = [g[j] as Trade, g[i] as Trade];
          }
          return g;
        });
        expect(buildAll(shuffled)).toEqual(buildAll(trades));
      }),
      { numRuns: 300 },
    );
  });
});

describe.skipIf(!HAS_SHARED_DATA)(
  'TradeBarBuilder golden: Binance XRP/ETH trades → Binance 1m candles',
  () => {
    it('rebuilds every one of the exchange candles exactly (2469 minutes, 0 differ)', () => {
      const trades = loadTrades(XRP_ETH_TRADES, 'XRP/ETH');
      expect(trades).toHaveLength(12_477);
      const ours = buildAll(trades);
      const theirs = loadBars(XRP_ETH_1M, 'XRP/ETH');
      expect(theirs).toHaveLength(2469);
      const theirsByTs = new Map(theirs.map((b) => [b.ts, b]));
      const differing = ours.filter((b) => JSON.stringify(theirsByTs.get(b.ts)) !== JSON.stringify(b));
      const missing = theirs.filter((b) => !ours.some((o) => o.ts === b.ts));
      // The file holds every trade of the period (ids consecutive, none missing), so not a
      // single minute differs; quiet minutes have no candle on either side.
      expect(differing.length).toBe(0);
      expect(missing.length).toBe(0);
      expect(ours).toEqual(theirs);
    });

    it('5m bars from trades equal the 1m candles resampled', () => {
      const trades = loadTrades(XRP_ETH_TRADES, 'XRP/ETH');
      const ours = buildAll(trades, '5m');
      const five = resample(loadBarSeries(XRP_ETH_1M, { symbol: 'XRP/ETH' }).series, '5m');
      const theirs: Bar[] = [];
      for (let i = 0; i < five.length; i++) theirs.push(barAt(five, i));
      expect(ours).toEqual(theirs);
    });
  },
);
