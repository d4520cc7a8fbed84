import { describe, expect, it } from 'vitest';
import type { BacktestResult } from '../../src/backtest/runBacktest.js';
import { toNumber } from '../../src/core/Fixed.js';
import { sliceSeries } from '../../src/data/sliceSeries.js';
import type { Bar } from '../../src/model/Bar.js';
import type { BarSeries } from '../../src/model/BarSeries.js';
import { allocBarSeries } from '../../src/model/BarSeries.js';
import { CrossExchangeSpread } from '../../src/strategies/CrossExchangeSpread.js';
import { GONE_AFTER_PERIODS } from '../../src/strategy/TimedCrossSection.js';
import { HAS_SHARED_DATA } from '../support/sharedData.js';
import type { FakeContext } from './support/FakeContext.js';
import { ETH_BTC_5M, runGolden, series } from './support/golden.js';
import { secondVenue } from './support/secondVenue.js';
import { startStrategy } from './support/startStrategy.js';

/**
 * Pair strategies where one leg's data ends (a delisting, a halted market, a feed that
 * died) or pauses: a pair cannot be held one-legged, so the strategy cancels its orders,
 * sells the leg it can still trade, takes no new position while the leg is away, and
 * starts over once it is back; and the run must not depend on the order of the series.
 */
const FIVE_MIN = 300_000;
const ETH = 'crypto/spot-5m/ETH_BTC-5m.csv';
const LTC = 'crypto/spot-5m/LTC_BTC-5m.csv';
const PAIRS = { formation: 576, refitEvery: 144, zWindow: 96, entryZ: 2, exitZ: 0.5, adfLags: 1 };
const SPREAD = { window: 288, entryZ: 2.5, exitZ: 0.5, minEdgeBps: 25 };

/** Fills in a canonical order, without what only names the replay (trade ids, bar indices). */
function canonicalFills(r: BacktestResult): string[] {
  return r.fills
    .map((f) => `${f.ts} ${f.symbol} ${f.orderId} ${f.side} ${f.quantity} ${f.price} ${f.fee}`)
    .sort();
}

/** `legs[cut]` loses its bars from bar `at` × its length on; the open time of the first bar missing. */
function cutLeg(legs: readonly BarSeries[], cut: number, at: number): { data: BarSeries[]; endTs: number } {
  const s = legs[cut] as BarSeries;
  const endTs = s.ts[Math.floor(s.length * at)] as number;
  return { data: legs.map((x) => (x === s ? sliceSeries(x, undefined, endTs) : x)), endTs };
}

/** The series without its bars in [from, to): a market away for a while. */
function withHole(s: BarSeries, from: number, to: number): BarSeries {
  const x = sliceSeries(s, undefined, from);
  const y = sliceSeries(s, to);
  const out = allocBarSeries(s.symbol, s.timeframe, x.length + y.length);
  for (const k of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const) {
    out[k].set(x[k], 0);
    out[k].set(y[k], x.length);
  }
  return out;
}

const held = (r: BacktestResult, symbol: string): number => toNumber(r.node.portfolio.positionQty(symbol));

describe.skipIf(!HAS_SHARED_DATA)('pair strategies when one leg ends early', () => {
  const CASES = [
    // The spread trade open when LTC ends is in ETH: it is sold.
    { name: 'pairs-arbitrage, LTC ends half way', id: 'pairs-arbitrage', params: PAIRS, cut: 1, at: 0.5 },
    // The spread trade open when ETH ends is in LTC: it is sold.
    { name: 'pairs-arbitrage, ETH ends', id: 'pairs-arbitrage', params: PAIRS, cut: 0, at: 0.55 },
    {
      name: 'cross-exchange-spread, one venue ends half way',
      id: 'cross-exchange-spread',
      params: SPREAD,
      cut: 1,
      at: 0.5,
    },
  ] as const;

  for (const { name, id, params, cut, at } of CASES) {
    describe(name, () => {
      const first = id === 'pairs-arbitrage' ? series(ETH) : series(ETH_BTC_5M);
      const legs = id === 'pairs-arbitrage' ? [first, series(LTC)] : [first, secondVenue(first)];
      const { data, endTs } = cutLeg(legs, cut, at);
      const ended = (data[cut] as BarSeries).symbol;
      const live = (data[1 - cut] as BarSeries).symbol;
      const r = runGolden(id, data, params);

      it('cancels its orders, sells the leg it can still trade, and opens nothing after', () => {
        // No order is left waiting for a market that has no more bars (nor any other).
        expect(r.node.oms.openOrders()).toEqual([]);
        // Fills decided once the leg's data had ended (the open of its first missing bar fills
        // what was decided on its last one): only the sale of the live leg, sent when the alarm
        // closed the period that counted the leg gone (half a bar after its end), so filled
        // where that bar's walk stands at its arrival, half a bar in; nothing bought.
        const after = r.fills.filter((f) => f.ts > endTs);
        // In each of these cases the spread position open at the end is in the live leg.
        expect(after.map((f) => `${(f.ts - endTs) / FIVE_MIN} ${f.symbol} ${f.side}`)).toEqual([
          `${GONE_AFTER_PERIODS + 0.5} ${live} SELL`,
        ]);
        expect(held(r, live)).toBe(0);
        expect(r.fills.some((f) => f.symbol === ended)).toBe(true);
        expect(r.report.ordersDenied).toBe(0);
      });

      it('trades the same whatever the order of the series', () => {
        const other = runGolden(id, [...data].reverse(), params);
        expect(canonicalFills(other)).toEqual(canonicalFills(r));
        expect(other.report.finalEquity).toBe(r.report.finalEquity);
        // Bars of one time replay in symbol order (mergeByTime): the log is the same byte for byte.
        expect(other.report.tradeLogSha256).toBe(r.report.tradeLogSha256);
      });
    });
  }

  it('pairs-arbitrage: the LTC position open when LTC ends is sold when it is back, and the pair starts over', () => {
    const eth = series(ETH);
    const ltc = series(LTC);
    const endTs = ltc.ts[Math.floor(ltc.length * 0.55)] as number;
    const backTs = endTs + 400 * FIVE_MIN;
    const data = [eth, withHole(ltc, endTs, backTs)];
    const r = runGolden('pairs-arbitrage', data, PAIRS);
    const before = r.fills.filter((f) => f.ts < endTs).at(-1);
    // The data was picked for it: the last trade before the gap bought LTC.
    expect(before).toMatchObject({ symbol: 'LTC/BTC', side: 'BUY' });
    const during = r.fills.filter((f) => f.ts >= endTs && f.ts < backTs);
    expect(during).toEqual([]); // LTC has no market, and ETH is not traded alone
    const [sale, ...later] = r.fills.filter((f) => f.ts >= backTs);
    // LTC's first bar back sits its period out; the period after is decided on, its sale fills at the next open.
    expect(sale).toMatchObject({ symbol: 'LTC/BTC', side: 'SELL', quantity: before?.quantity });
    expect(sale?.ts).toBe(backTs + 2 * FIVE_MIN);
    // Then a new formation: `formation` periods of both legs after the return before it trades again.
    expect(later.length).toBeGreaterThan(4);
    expect((later[0] as { ts: number }).ts).toBeGreaterThan(backTs + PAIRS.formation * FIVE_MIN);
    expect(r.node.oms.openOrders()).toEqual([]);
    const other = runGolden('pairs-arbitrage', [...data].reverse(), PAIRS);
    expect(other.report.tradeLogSha256).toBe(r.report.tradeLogSha256);
  });
});

describe('a pair strategy with a leg gone, step by step', () => {
  const MIN = 60_000;
  const ALARM = 'pair:close-period';
  const bar = (symbol: string, i: number, close: number): Bar => ({
    symbol,
    timeframe: '1m',
    ts: i * MIN,
    open: close,
    high: close,
    low: close,
    close,
    volume: 1,
    closed: true,
  });

  /** Replays periods 0..n-1 as the backtest does: the close alarm, when set, rings before the next period's bars. */
  function replay(
    ctx: FakeContext,
    n: number,
    close: (symbol: string, i: number) => number | undefined,
  ): void {
    for (let i = 0; i < n; i++) {
      const alarm = ctx.timers.get(ALARM);
      if (alarm !== undefined && alarm < (i + 1) * MIN) {
        ctx.timers.delete(ALARM);
        ctx.fireTimer(ALARM, alarm);
      }
      for (const s of ['A/USDT', 'B/USDT']) {
        const c = close(s, i);
        if (c !== undefined) ctx.processBar(bar(s, i, c));
      }
    }
  }

  it('warns once, sells the live leg, stays out while B is away, and starts over when it is back', () => {
    // Configured B first: the legs are taken in symbol order either way.
    const { ctx } = startStrategy(
      CrossExchangeSpread,
      { window: 10, entryZ: 2, exitZ: 0.5, minEdgeBps: 0 },
      { symbols: ['B/USDT', 'A/USDT'], cash: 1000 },
    );
    const wiggle = (i: number): number => 100 * (1 + 0.001 * Math.sin(i));
    // A drops 3 % against B at period 20 and goes on sliding (A is bought and held); B's data
    // stops after period 24 and is back from period 80 on.
    replay(ctx, 120, (s, i) => {
      if (s === 'B/USDT') return i <= 24 || i >= 80 ? 100 : undefined;
      return i < 20 ? wiggle(i) : 97 - 0.2 * Math.min(i - 20, 40);
    });
    const warns = ctx.logs.filter((l) => l.level === 'warn');
    expect(warns).toHaveLength(1);
    expect(warns[0]?.msg).toContain('B/USDT has had no bar for 12 periods');
    expect(ctx.logs.filter((l) => l.level === 'info').map((l) => l.msg)).toEqual([
      'B/USDT has bars again: the pair of A/USDT and B/USDT starts over',
    ]);
    // Decided at the end of period 20 (B's bar closes it), A's sale when the alarm closed
    // period 24 + 12, the first B missed for the 12th time; B is never traded.
    const orders = ctx.placed.map((p) => `${p.side} ${p.order.symbol} ${p.order.createdAt / MIN}`);
    expect(orders).toEqual(['BUY A/USDT 20', `SELL A/USDT ${24 + GONE_AFTER_PERIODS + 1.5}`]);
    expect(ctx.position('A/USDT').isFlat).toBe(true);
    expect(ctx.openOrders()).toEqual([]);
  });
});
