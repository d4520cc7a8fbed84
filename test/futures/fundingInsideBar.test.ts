/**
 * Funding is charged on the position held at the funding time. Under daily bars the 08:00 and
 * 16:00 settlements fall inside a bar; an order that reached the venue at 10:00 (latency) and
 * filled there did not hold a position at 08:00, so it pays the 16:00 funding only.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runBacktest } from '../../src/backtest/runBacktest.js';
import { formatFixed, toFixed } from '../../src/core/Fixed.js';
import type { Bar } from '../../src/model/Bar.js';
import { allocBarSeries } from '../../src/model/BarSeries.js';
import type { OrderEvent } from '../../src/model/events.js';
import type { FundingSettled } from '../../src/model/futuresEvents.js';
import type { Order } from '../../src/model/Order.js';
import { Strategy } from '../../src/strategy/Strategy.js';

const SYMBOL = 'TST/USDT:USDT';
const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Buys 1 at the end of the first day; records funding and fills. */
class BuyOnce extends Strategy<Record<string, never>> {
  static readonly id = 'buy-once';
  static readonly description = 'test strategy: one market buy';
  static readonly paramsSchema = z.object({});
  static funding: FundingSettled[] = [];
  static fillTimes: number[] = [];
  private done = false;
  override onBar(bar: Bar): void {
    if (this.done) return;
    this.done = true;
    this.ctx.buy(bar.symbol, 1);
  }
  override onOrderUpdate(_o: Order, e: OrderEvent): void {
    if (e.type === 'OrderFilled') BuyOnce.fillTimes.push(e.ts);
  }
  override onFunding(e: FundingSettled): void {
    BuyOnce.funding.push(e);
  }
}

function run(latencyMs: number) {
  BuyOnce.funding = [];
  BuyOnce.fillTimes = [];
  const s = allocBarSeries(SYMBOL, '1d', 3);
  for (let i = 0; i < 3; i++) {
    s.ts[i] = i * DAY;
    s.open[i] = 100;
    s.high[i] = 100;
    s.low[i] = 100;
    s.close[i] = 100;
    s.volume[i] = 1e9;
  }
  const rate = toFixed('0.001');
  return runBacktest({
    series: [s],
    strategy: BuyOnce,
    params: {},
    initialCash: 1000,
    commission: 0,
    fill: { fillAt: 'close', latencyMs },
    sizing: { kind: 'fixed', quantity: toFixed(1) },
    futures: {
      leverage: 1,
      marginMode: 'ISOLATED',
      funding: [{ symbol: SYMBOL, ts: [DAY + 8 * HOUR, DAY + 16 * HOUR], rate: [rate, rate] }],
    },
  });
}

const held = () => BuyOnce.funding.map((e) => [e.ts, formatFixed(e.positionQty), formatFixed(e.amount)]);

describe('funding inside a bar', () => {
  it('a fill stamped after a funding time does not pay it', () => {
    run(10 * HOUR);
    expect(BuyOnce.fillTimes).toEqual([DAY + 10 * HOUR]);
    expect(held()).toEqual([
      [DAY + 8 * HOUR, '0', '0'],
      [DAY + 16 * HOUR, '1', '-0.1'],
    ]);
  });

  it('a fill stamped before both pays both', () => {
    run(6 * HOUR);
    expect(BuyOnce.fillTimes).toEqual([DAY + 6 * HOUR]);
    expect(held()).toEqual([
      [DAY + 8 * HOUR, '1', '-0.1'],
      [DAY + 16 * HOUR, '1', '-0.1'],
    ]);
  });
});
