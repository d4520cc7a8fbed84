import { z } from 'zod';
import { toFixed } from '../src/core/Fixed.js';
import { runBacktest } from '../src/backtest/runBacktest.js';
import type { Bar } from '../src/model/Bar.js';
import type { BarSeries } from '../src/model/BarSeries.js';
import { parseSizing } from '../src/portfolio/Sizer.js';
import { Strategy } from '../src/strategy/Strategy.js';
import { best, walk } from './backtest.js';

/** Every `every` bars: buys with all its cash when flat, sells everything when long. */
class EveryNBars extends Strategy<{ every: number }> {
  static readonly id = 'every-n-bars';
  static readonly description = 'alternates buy and sell every N bars (benchmark)';
  static readonly paramsSchema = z.object({ every: z.number().int().positive() });
  private n = 0;

  override onBar(bar: Bar): void {
    if (++this.n % this.params.every !== 0) return;
    if (this.ctx.position(bar.symbol).isFlat) this.ctx.buy(bar.symbol);
    else this.ctx.sell(bar.symbol);
  }
}

function run(series: BarSeries, every: number): number {
  return runBacktest({
    series: [series],
    strategy: EveryNBars,
    params: { every },
    initialCash: 100_000,
    commission: 0,
    fill: { fillAt: 'close' },
    sizing: parseSizing('all-in', toFixed('0.0001')),
    seed: 1,
  }).report.orders;
}

/**
 * What one order costs as orders get rarer: the same engine, an order every 2, 25 or 100 bars,
 * each run's time minus that of a run with no order, per order (report included). The
 * SMA-cross benchmark trades about every 25 bars. The runs with orders also hold a position
 * half of the time, which the run without orders never does (a marked position and non-zero
 * returns for the statistics); that part of the difference is per bar, not per order, and
 * weighs more the rarer the orders.
 */
export function benchOrderDensity(n: number): void {
  const series = walk(n, 42);
  for (const every of [2, 25, 100, n + 1]) run(series, every); // warm-up
  const none = best(3, () => run(series, n + 1));
  console.log(`\n## cost of one order by order spacing, ${n.toLocaleString('en-US')} bars (best of 3)`);
  console.log(`no order                 ${none.ms.toFixed(0).padStart(5)} ms = baseline`);
  let dense = 0;
  for (const every of [2, 25, 100]) {
    const r = best(3, () => run(series, every));
    const perOrder = ((r.ms - none.ms) / r.value) * 1000;
    if (every === 2) dense = perOrder;
    console.log(
      `an order every ${String(every).padEnd(3)} bars ${r.ms.toFixed(0).padStart(5)} ms, ${r.value} orders, ${perOrder.toFixed(2)} µs per order (${(perOrder / dense).toFixed(2)}× the densest)`,
    );
  }
}
