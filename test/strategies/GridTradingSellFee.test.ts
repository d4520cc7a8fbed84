/**
 * The grid where the exchange takes a sell's fee in the base coin (ccxt feeSide 'base', or
 * 'give': the seller gives the coin). Selling everything a rung holds then needs the quantity
 * plus its fee in coins; the venue refuses it (as Binance does), and the rung used to be parked
 * for good with its coins unsold. The rung now sells what it holds less the fee, floored to the
 * lot. Through the real backtest engine (risk, OMS, simulated venue, exact ledger).
 */
import { describe, expect, it } from 'vitest';
import type { BacktestResult } from '../../src/backtest/runBacktest.js';
import { runBacktest } from '../../src/backtest/runBacktest.js';
import type { Fixed } from '../../src/core/Fixed.js';
import { ZERO, formatFixed, fromNumber, toFixed } from '../../src/core/Fixed.js';
import type { OrderCanceled, OrderFilled } from '../../src/model/events.js';
import { seriesOfBars } from '../../src/model/BarSeries.js';
import type { FeeSide } from '../../src/model/Instrument.js';
import type { Order } from '../../src/model/Order.js';
import { MemoryStateStore } from '../../src/node/MemoryStateStore.js';
import { parseSizing } from '../../src/portfolio/Sizer.js';
import type { GridState } from '../../src/strategies/GridState.js';
import { GridTrading } from '../../src/strategies/GridTrading.js';
import type { Strategy } from '../../src/strategy/Strategy.js';
import { FakeContext, feed, makeBars } from './support/FakeContext.js';
import { startStrategy } from './support/startStrategy.js';

const SYMBOL = 'ETH/USDT';
const PARAMS = { levels: 3, spacingPct: 10, orderSize: 0.2 };
type Row = number | readonly [number, number, number, number];

/**
 * 1000 USDT, buys at 90, 80 and 70 under a first close of 100; 0.1 % fees, lots and fees in
 * 1e-8 (Binance's commission precision), so nothing the lot floors leaves room for a fee.
 */
function run(feeSide: FeeSide, rows: readonly Row[]): BacktestResult {
  return runBacktest({
    series: [seriesOfBars(SYMBOL, '1m', makeBars(rows))],
    strategy: GridTrading,
    params: PARAMS,
    initialCash: 1000,
    instruments: [{ symbol: SYMBOL, makerFee: '0.001', takerFee: '0.001', feeSide, feeStep: '0.00000001' }],
    sizing: parseSizing('all-in', toFixed('0.00000001')),
  });
}

/** The trade log's lines without the time: order, side, quantity, price, fee, fee currency. */
const trades = (r: BacktestResult): string[] =>
  r.tradeLog
    .trim()
    .split('\n')
    .map((l) => l.split(',').slice(4).join(' '));

const held = (r: BacktestResult): Fixed => r.node.portfolio.positionQty(SYMBOL);
const gridBuys = (r: BacktestResult): string[] =>
  r.node.oms
    .openOrders(SYMBOL, 'grid')
    .map((o) => `${o.side} ${formatFixed(o.request.price ?? ZERO)}`)
    .sort();

describe('grid: a sell whose fee is taken in the base coin', () => {
  // Bar 1 fills the buy at 90 and the grid places the rung's sell at 100; bar 2 fills it.
  const ONE_ROUND = [100, [100, 100, 88, 92], [92, 101, 92, 100], 100] as const;

  it("feeSide 'base': the rung sells what it holds less the sell's fee, and its buy is laid again", () => {
    const r = run('base', ONE_ROUND);
    // Buy: 200 / (90 × 1.001) = 2.22000222, fee 0.00222 ETH taken from it → 2.21778222 held.
    // Sell: 2.21778222 / 1.001 floored = 2.21556665, fee 0.00221556 ETH: 2.21778221 of them.
    expect(trades(r)).toEqual(['BUY 2.22000222 90 0.00222 ETH', 'SELL 2.21556665 100 0.00221556 ETH']);
    expect(r.node.oms.orderCounts()).toMatchObject({ rejected: 0, denied: 0, canceled: 0 });
    expect(formatFixed(held(r))).toBe('0.00000001');
    // The rung is closed: its buy rests again beside the two that never filled.
    expect(gridBuys(r)).toEqual(['BUY 70', 'BUY 80', 'BUY 90']);
  });

  it("feeSide 'give': the buy pays in quote, the sell in the coin it gives; the same rule holds", () => {
    const r = run('give', ONE_ROUND);
    // The buy's fee in USDT (0.1 % of 199.8001998, floored to 1e-8): all 2.22000222 ETH held.
    // Sell: 2.22000222 / 1.001 floored = 2.21778443, fee 0.00221778 ETH.
    expect(trades(r)).toEqual(['BUY 2.22000222 90 0.19980019 USDT', 'SELL 2.21778443 100 0.00221778 ETH']);
    expect(r.node.oms.orderCounts()).toMatchObject({ rejected: 0, denied: 0, canceled: 0 });
    expect(formatFixed(held(r))).toBe('0.00000001');
    expect(gridBuys(r)).toEqual(['BUY 70', 'BUY 80', 'BUY 90']);
  });

  it("two rungs holding at once each keep back their own fee: neither sell pays with the other's coins", () => {
    // Bar 1 fills the buys at 90 and 80; bar 2 fills both sells (at 90 and at 100). The rung of
    // 80 bought 2.49750249 and holds 2.49500499 after its fee: it sells 2.49500499 / 1.001.
    // Before, the first sell to fill took its fee from the other rung's coins, which then lacked
    // them.
    const r = run('base', [100, [100, 100, 78, 80], [80, 101, 80, 100], 100]);
    const sides = trades(r).map((t) => t.split(' ').slice(0, 3).join(' '));
    expect(sides).toEqual([
      'BUY 2.22000222 90',
      'BUY 2.49750249 80',
      'SELL 2.49251247 90',
      'SELL 2.21556665 100',
    ]);
    expect(r.node.oms.orderCounts()).toMatchObject({ rejected: 0, denied: 0, canceled: 0 });
    // One unit of dust from each rung.
    expect(formatFixed(held(r))).toBe('0.00000002');
    expect(gridBuys(r)).toEqual(['BUY 70', 'BUY 80', 'BUY 90']);
  });

  it("feeSide 'quote' and 'get' sell everything the rung holds, as before", () => {
    const quote = run('quote', ONE_ROUND);
    expect(trades(quote)).toEqual([
      'BUY 2.22000222 90 0.1998001998 USDT',
      'SELL 2.22000222 100 0.222000222 USDT',
    ]);
    expect(held(quote)).toBe(ZERO);
    const get = run('get', ONE_ROUND);
    expect(trades(get)).toEqual(['BUY 2.22000222 90 0.00222 ETH', 'SELL 2.21778222 100 0.22177822 USDT']);
    expect(held(get)).toBe(ZERO);
  });
});

describe('grid: the rest of a rung whose sell paid its fee in the base coin', () => {
  const gridOf = (ctx: FakeContext): GridState | undefined => ctx.state.get<GridState>(`grid:${SYMBOL}`);
  let seq = 0;
  const about = (o: Order) => ({
    eventId: `S${++seq}`,
    orderId: o.id,
    strategyId: o.strategyId,
    symbol: o.symbol,
    ts: 0,
  });

  it('a sell partly filled then canceled leaves the rung its coins less the fill and the fee, and sells those less their fee', () => {
    const { ctx } = startStrategy(GridTrading, PARAMS, {
      cash: 1000,
      instruments: [{ symbol: SYMBOL, makerFee: '0.001', takerFee: '0.001', feeSide: 'base' }],
    });
    feed(ctx, makeBars([100, [100, 100, 88, 92]]));
    const sell = ctx.placed[3]?.order as Order;
    expect(ctx.decisions()[3]).toBe('SELL LIMIT 2.21778443 at 100 @1');
    // 1 ETH of it fills, its fee of 0.001 ETH taken from the coins; then it is canceled.
    const fill: OrderFilled = {
      type: 'OrderFilled',
      ...about(sell),
      tradeId: 'ST1',
      side: 'SELL',
      lastQty: toFixed('1'),
      lastPx: fromNumber(100),
      fee: toFixed('0.001'),
      feeCurrency: 'ETH',
      liquidity: 'MAKER',
    };
    sell.apply(fill);
    ctx.handOver(sell, fill);
    const cancel: OrderCanceled = { type: 'OrderCanceled', ...about(sell), reason: 'operator' };
    sell.apply(cancel);
    ctx.handOver(sell, cancel);
    // The FakeContext charges a buy's fee in quote: the rung held 2.22000222; 1.22000222 − 0.001 left.
    expect(gridOf(ctx)?.levels[0]).toMatchObject({ stage: 'sell', quantity: '1.21900222', parked: false });
    feed(ctx, makeBars([95]));
    // 1.21900222 / 1.001 floored to the lot.
    expect(ctx.decisions()[4]).toBe('SELL LIMIT 1.21778443 at 100 @2');
  });

  it('a buy that left fewer coins than one lot after the sell fee is not turned into an unsellable sell: the rung buys again', () => {
    const { ctx } = startStrategy(GridTrading, PARAMS, {
      cash: 1000,
      instruments: [
        { symbol: SYMBOL, lotSize: '0.01', makerFee: '0.001', takerFee: '0.001', feeSide: 'base' },
      ],
    });
    feed(ctx, makeBars([100]));
    const buy = ctx.placed[0]?.order as Order;
    const fill: OrderFilled = {
      type: 'OrderFilled',
      ...about(buy),
      tradeId: 'BT1',
      side: 'BUY',
      lastQty: toFixed('0.01'),
      lastPx: fromNumber(90),
      fee: toFixed('0.00001'),
      feeCurrency: 'ETH',
      liquidity: 'MAKER',
    };
    buy.apply(fill);
    ctx.handOver(buy, fill);
    const cancel: OrderCanceled = { type: 'OrderCanceled', ...about(buy), reason: 'operator' };
    buy.apply(cancel);
    ctx.handOver(buy, cancel);
    expect(gridOf(ctx)?.levels[0]).toMatchObject({ stage: 'buy', quantity: null, parked: false });
    feed(ctx, makeBars([95]));
    expect(ctx.decisions()[3]).toBe('BUY LIMIT 2.22 at 90 @1');
  });

  it('a sell rung parked before (an older version asked for its fee too) gets one more try at the start', () => {
    const state = new MemoryStateStore();
    const buy = (buyPrice: number) => ({
      buyPrice,
      sellPrice: buyPrice + 10,
      stage: 'buy',
      quantity: null,
      orderId: null,
      parked: false,
    });
    state.set(`grid:${SYMBOL}`, {
      reference: 100,
      spacingPct: 10,
      levels: [
        { buyPrice: 90, sellPrice: 100, stage: 'sell', quantity: '2.22000222', orderId: null, parked: true },
        buy(80),
        buy(70),
      ],
    });
    const ctx = new FakeContext({
      cash: 1000,
      state,
      instruments: [{ symbol: SYMBOL, makerFee: '0.001', takerFee: '0.001', feeSide: 'base' }],
    });
    const Ctor = GridTrading as unknown as new (c: FakeContext, p: unknown) => Strategy<unknown>;
    ctx.start(new Ctor(ctx, GridTrading.paramsSchema.parse(PARAMS)));
    expect(gridOf(ctx)?.levels.map((l) => l.parked)).toEqual([false, false, false]);
    feed(ctx, makeBars([95]));
    expect(ctx.decisions()[0]).toBe('SELL LIMIT 2.21778443 at 100 @0');
  });
});
