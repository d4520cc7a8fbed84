/**
 * Grid and the rebalancing strategies (rebalanceToWeights) skip a buy they cannot afford rather
 * than send it, so no refusal reaches the engine and its all-refused warning cannot see it: a
 * grid whose every rung was under the instrument's minimum order ended flat without a word, and
 * so did a basket whose second leg the cash left by the first could not buy. Each now warns at
 * the first skip, once per run for a symbol and reason, as dca does.
 */
import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/runBacktest.js';
import { toFixed } from '../../src/core/Fixed.js';
import type { Bar } from '../../src/model/Bar.js';
import { seriesOfBars } from '../../src/model/BarSeries.js';
import { parseSizing } from '../../src/portfolio/Sizer.js';
import { GridTrading } from '../../src/strategies/GridTrading.js';
import { MomentumRank } from '../../src/strategies/MomentumRank.js';

const T0 = Date.UTC(2024, 0, 1);
const HOUR = 3_600_000;

/** Hourly bars of `symbol` closing at `closes` (open at the previous close). */
function hourly(symbol: string, closes: readonly number[]) {
  const bars: Bar[] = closes.map((c, i) => {
    const o = i === 0 ? c : (closes[i - 1] as number);
    return {
      symbol,
      timeframe: '1h',
      ts: T0 + i * HOUR,
      open: o,
      high: Math.max(o, c),
      low: Math.min(o, c),
      close: c,
      volume: 1000,
      closed: true,
    };
  });
  return seriesOfBars(symbol, '1h', bars);
}

/** The close time of bar `i`, as the run's warnings name it. */
const at = (i: number): string => new Date(T0 + (i + 1) * HOUR).toISOString();

describe('buys skipped for want of cash or under the minimum order are said once', () => {
  it('grid: 20 USDT makes rungs of 4 USDT, under the 10 USDT minimum: one warning, no order', () => {
    // Down through every rung and back, twice: each bar asks for the three rungs again.
    const closes = [100, 99, 98, 97, 98, 99, 100, 98, 97, 99, 100];
    const r = runBacktest({
      series: [hourly('ETH/USDT', closes)],
      strategy: GridTrading,
      params: { levels: 3, spacingPct: 1, orderSize: 0.2 },
      initialCash: 20,
      commission: 0.001,
      instruments: [{ symbol: 'ETH/USDT', minNotional: 10 }],
      sizing: parseSizing('all-in', toFixed('0.0001')),
      seed: 1,
    });
    expect(r.report.ordersTotal).toBe(0);
    // The first rung, at 99: 0.2 × 20 / (99 × 1.001) floored to the 1e-8 lot.
    expect(r.report.warnings).toEqual([
      `grid at ${at(0)}: buy of ETH/USDT for 3.99600333 USDT (0.04036367 at 99, a grid level) skipped: ` +
        "below the instrument's minimum order (quantity 0.04036367, minimum 0, minimum notional 10 USDT); " +
        'the next skips of it for this reason are not repeated',
    ]);
  });

  it('momentum-rank: the cash the first leg leaves cannot buy the second: one warning naming it', () => {
    const up = Array.from({ length: 12 }, (_, i) => 100 + i);
    const r = runBacktest({
      series: [
        hourly('AAA/USDT', up),
        hourly(
          'BBB/USDT',
          up.map((c) => c / 10),
        ),
      ],
      strategy: MomentumRank,
      params: { lookback: 2, top: 2, rebalanceEvery: 1, investFraction: 1 },
      initialCash: 10,
      commission: 0.001,
      instruments: [
        { symbol: 'AAA/USDT', minNotional: 4.99 },
        { symbol: 'BBB/USDT', minNotional: 4.99 },
      ],
      sizing: parseSizing('all-in', toFixed('0.0001')),
      seed: 1,
    });
    // AAA's half (5 USDT and its fee) leaves 4.995: BBB's half, 5.02 at the next step's price,
    // scaled down to what that covers, is under the 4.99 minimum. Asked again at every step.
    expect(r.report.warnings).toEqual([
      `momentum-rank at ${at(3)}: buy of BBB/USDT for 5.022009728 USDT (0.48757376 at 10.3, toward its target weight) skipped: ` +
        'it costs more than the 4.9950008008 USDT available (fees on top); the next skips of it for this reason are not repeated',
    ]);
    expect(r.report.fills.map((f) => f.symbol)).not.toContain('BBB/USDT');
  });
});
