import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runBacktest } from '../../src/backtest/runBacktest.js';
import { formatFixed, toFixed } from '../../src/core/Fixed.js';
import { loadBarSeries } from '../../src/data/loadBarSeries.js';
import { loadFundingRates } from '../../src/data/loadFundingRates.js';
import { loadMarkPrices } from '../../src/data/loadMarkPrices.js';
import type { Bar } from '../../src/model/Bar.js';
import type { FundingSettled, PositionLiquidated } from '../../src/model/futuresEvents.js';
import type { MarginMode } from '../../src/model/MarginMode.js';
import { Strategy } from '../../src/strategy/Strategy.js';
import { HAS_SHARED_DATA, sharedFile } from '../support/sharedData.js';

const CANDLES = sharedFile('crypto/futures/XRP_USDT_USDT-5m-futures.csv');
const MARK = sharedFile('crypto/futures/XRP_USDT_USDT-8h-mark.csv');
const FUNDING = sharedFile('crypto/futures/XRP_USDT_USDT-8h-funding_rate.csv');
const SYMBOL = 'XRP/USDT:USDT';
const E16 = 10n ** 16n;

/** Opens `qty` (negative = short) at the close of the first bar, then holds; records what the engine tells it. */
class OpenAndHold extends Strategy<{ qty: number }> {
  static readonly id = 'open-and-hold';
  static readonly description = 'test strategy: one market order at the first close';
  static readonly paramsSchema = z.object({ qty: z.number() });
  static funding: FundingSettled[] = [];
  static liquidations: PositionLiquidated[] = [];
  static marksSeen: (number | undefined)[] = [];
  private opened = false;
  override onBar(bar: Bar): void {
    OpenAndHold.marksSeen.push(this.ctx.markPrice?.(bar.symbol));
    if (this.opened) return;
    this.opened = true;
    const q = this.params.qty;
    if (q > 0) this.ctx.buy(bar.symbol, q);
    else this.ctx.sell(bar.symbol, -q);
  }
  override onFunding(e: FundingSettled): void {
    OpenAndHold.funding.push(e);
    expect(this.ctx.fundingRate?.(e.symbol)).toBe(Number(formatFixed(e.rate)));
  }
  override onLiquidation(e: PositionLiquidated): void {
    OpenAndHold.liquidations.push(e);
  }
}

function backtest(qty: number, leverage: number, mode: MarginMode) {
  OpenAndHold.funding = [];
  OpenAndHold.liquidations = [];
  OpenAndHold.marksSeen = [];
  return runBacktest({
    series: [loadBarSeries(CANDLES).series],
    strategy: OpenAndHold,
    params: { qty },
    initialCash: 1000,
    commission: 0.0004,
    fill: { fillAt: 'close' },
    sizing: { kind: 'fixed', quantity: toFixed(qty) },
    futures: {
      leverage,
      marginMode: mode,
      funding: [loadFundingRates(FUNDING)],
      marks: [loadMarkPrices(MARK).marks],
    },
  });
}

/** A CSV of numbers as text cells (the test reads the files itself, not through the loaders). */
function rows(path: string): string[][] {
  return readFileSync(path, 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((l) => l.split(','));
}

/** A decimal text ("1.0959", "2.024e-05") as an exact fraction n / 10^d. */
function decimal(text: string): { n: bigint; d: number } {
  const [mant, expText] = text.toLowerCase().split('e');
  const [whole, frac = ''] = (mant as string).split('.');
  const exp = Number(expText ?? '0');
  let n = BigInt(`${whole}${frac}`);
  let d = frac.length - exp;
  if (d < 0) {
    n *= 10n ** BigInt(-d);
    d = 0;
  }
  return { n, d };
}

/** Exact fraction num / den in units of 10^-16, rounded half to even. */
function toUnits(num: bigint, den: bigint): bigint {
  const neg = num < 0n !== den < 0n;
  const a = num < 0n ? -num : num;
  const b = den < 0n ? -den : den;
  let q = (a * E16) / b;
  const r = (a * E16) % b;
  if (2n * r > b || (2n * r === b && q % 2n === 1n)) q += 1n;
  return neg ? -q : q;
}

describe.skipIf(!HAS_SHARED_DATA)(
  'XRP/USDT:USDT perpetual golden run (../shared/data/crypto/futures)',
  () => {
    const candles = HAS_SHARED_DATA ? rows(CANDLES) : [];
    const first = Number(candles[0]?.[0]);
    const lastEnd = Number(candles[candles.length - 1]?.[0]) + 300_000;
    const marks = HAS_SHARED_DATA ? rows(MARK) : [];
    /** Funding rows inside the candles' window, with the mark-candle open in force at that time. */
    const expected = (HAS_SHARED_DATA ? rows(FUNDING) : [])
      .map(([ts, rate]) => ({ ts: Number(ts), rate: rate as string }))
      .filter((f) => f.ts > first && f.ts <= lastEnd)
      .map((f) => {
        const mark = marks.filter((m) => Number(m[0]) <= f.ts).at(-1) as string[];
        return { ...f, mark: mark[1] as string };
      });

    function expectedAmount(qty: number, mark: string, rate: string): bigint {
      // Binance: funding = position notional at mark × rate, paid by longs when positive.
      const m = decimal(mark);
      const r = decimal(rate);
      return toUnits(-BigInt(qty) * m.n * r.n, 10n ** BigInt(m.d + r.d));
    }

    it('settles funding at every 00/08/16 UTC time inside the window, longs paying positive rates, exact amounts', () => {
      const { report, node } = backtest(1000, 3, 'ISOLATED');
      expect(expected.length).toBe(12);
      const got = OpenAndHold.funding;
      expect(got.map((e) => e.ts)).toEqual(expected.map((e) => e.ts));
      for (const e of got) expect(new Date(e.ts).getUTCHours() % 8).toBe(0);
      got.forEach((e, i) => {
        const x = expected[i] as (typeof expected)[number];
        expect(formatFixed(e.markPrice)).toBe(x.mark);
        expect(e.amount).toBe(expectedAmount(1000, x.mark, x.rate));
        expect(e.amount < 0n).toBe(true);
      });
      const total = expected.reduce((s, x) => s + expectedAmount(1000, x.mark, x.rate), 0n);
      expect(node.portfolio.ledger.fundingNet('USDT')).toBe(total);
      expect(report.futures?.fundingNet).toBe(formatFixed(total as never));
      expect(report.futures?.fundingPayments).toBe(12);
      expect(report.futures?.liquidations).toBe(0);
      // The mark strategies read is the published mark at its points and the traded close between them.
      expect(OpenAndHold.marksSeen.every((m) => m !== undefined && m > 0)).toBe(true);
    });

    it('a short receives the same amounts with the opposite sign', () => {
      backtest(-1000, 3, 'CROSS');
      const got = OpenAndHold.funding;
      expect(got.length).toBe(12);
      got.forEach((e, i) => {
        const x = expected[i] as (typeof expected)[number];
        expect(e.amount).toBe(-expectedAmount(1000, x.mark, x.rate));
        expect(e.amount > 0n).toBe(true);
      });
    });

    it('liquidates a 20x isolated long at the first bar whose low reaches the liquidation price, at that price', () => {
      const { report, node } = backtest(1000, 20, 'ISOLATED');
      // Entry at the first close, 1000 XRP; margin M = C / 20; Binance isolated long:
      // LP = (C − M − cum) / (q × (1 − MMR)), MMR 0.005 (default flat bracket), cum 0.
      const entry = decimal(candles[0]?.[4] as string); // close of bar 0
      const cost = 1000n * entry.n; // C × 10^d
      const margin = cost / 20n; // exact here: 1194.1 / 20 = 59.705
      const lp = toUnits((cost - margin) * 1000n, 10n ** BigInt(entry.d) * 1000n * 995n);
      const lpText = formatFixed(lp as never);
      const hit = candles.findIndex(
        (c, i) => i > 0 && toUnits(decimal(c[3] as string).n, 10n ** BigInt(decimal(c[3] as string).d)) <= lp,
      );
      expect(hit).toBeGreaterThan(0);
      const liq = OpenAndHold.liquidations;
      expect(liq.length).toBe(1);
      const e = liq[0] as PositionLiquidated;
      expect(e.ts).toBe(Number(candles[hit]?.[0]));
      expect(formatFixed(e.price)).toBe(lpText);
      expect(e.positionQty).toBe(toFixed(1000));
      // Loss is the whole margin: realized at LP, and the clearance fee takes what is left of it.
      expect(e.realizedPnl - e.fee).toBe(-toUnits(margin, 10n ** BigInt(entry.d)));
      expect(node.portfolio.positionQty(SYMBOL)).toBe(0n);
      expect(report.futures?.liquidations).toBe(1);
      expect(report.fills.at(-1)?.orderId).toBe('LIQUIDATION');
      // Final equity: 1000 − entry fee (0.04 % of C) − the margin.
      const fee = toUnits(cost * 4n, 10n ** BigInt(entry.d) * 10_000n);
      expect(node.portfolio.equityExact()).toBe(
        toFixed(1000) - fee - toUnits(margin, 10n ** BigInt(entry.d)),
      );
    });
  },
);
