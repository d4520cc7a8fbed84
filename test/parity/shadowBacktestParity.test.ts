import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { TradingRuntime } from '../../src/app/TradingRuntime.js';
import { defaultInstruments } from '../../src/app/instrumentsFromMarkets.js';
import { runBacktest } from '../../src/backtest/runBacktest.js';
import { AppConfigSchema } from '../../src/config/configSchema.js';
import { formatFixed, toFixed } from '../../src/core/Fixed.js';
import { loadBarSeries } from '../../src/data/loadBarSeries.js';
import { ORDER_EVENTS } from '../../src/kernel/topics.js';
import type { ReplayFeed } from '../../src/marketdata/ReplayFeed.js';
import type { OrderEvent } from '../../src/model/events.js';
import type { OrderRequest } from '../../src/model/OrderRequest.js';
import type { OrderView } from '../../src/model/OrderView.js';
import { parseSizing } from '../../src/portfolio/Sizer.js';
import type { AnyStrategyClass } from '../../src/strategy/Strategy.js';
import type * as Registry from '../../src/strategies/registry.js';
import { findStrategy } from '../../src/strategies/registry.js';
import { Strategy } from '../../src/strategy/Strategy.js';
import type { Bar } from '../../src/model/Bar.js';
import { HAS_SHARED_DATA, sharedFile } from '../support/sharedData.js';

/*
 * The product's promise: a strategy runs unchanged in a backtest and in shadow mode (paper
 * trading through the same SimulatedVenue) with the same behaviour. Shadow mode here replays a
 * candle file (marketData.source: replay) and the backtest runs the same file with the same
 * instruments (the replay's defaults: 1e-8 tick and lot), fee rate, sizing and fill model
 * (next-open, no slippage: shadow's DEFAULT_FILL_MODEL); the orders (side, type, quantity,
 * price), fills (side, quantity, price, fee, time) and final equity of both must be equal.
 *
 * What makes them equal, and why:
 * - Warm-up: replay has none (docs/configuration.md: replay files are history and warm the
 *   strategies up as they play), a backtest has none either: both start cold at bar one.
 * - Fill timing: both venues match on closed bars in market time (ShadowVenue observes the bar's
 *   end), so a market order fills at the next bar's open, its fill stamped at that bar's end.
 * - Timers: on replay they run in bar time (ReplayClock), firing before the venue matches the
 *   bar they fall due in, as the backtest's BarLoop does. They ran on the wall clock before:
 *   `dca interval=1h` bought 59 times in the backtest and never in a replay of ~40 h of bars.
 * - Pace: the replay's speed decides nothing above; it is set high to keep the test fast.
 * - Risk limits differ on purpose (documented): the engine's own apply in shadow, a backtest
 *   runs none unless given, and `maxOrdersPerMinute` counts wall-clock time, which 1,000 bars
 *   a second would hit (sma-cross: 130 of 200 orders through). They are opened wide here.
 */

const CANDLES = sharedFile('crypto/spot-1m/XRP_ETH-1m.csv'); // 2,469 one-minute bars
const SYMBOL = 'XRP/ETH';
const COMMISSION = 0.001;
const INITIAL_CASH = 10; // ETH

vi.mock('../../src/strategies/registry.js', async (importOriginal) => {
  const actual = await importOriginal<typeof Registry>();
  return {
    ...actual,
    // Bracketer is defined below; the lookup runs only once a test starts.
    findStrategy: (id: string) => (id === Bracketer.id ? Bracketer : actual.findStrategy(id)),
  };
});

const tick = (x: number): number => Math.round(x * 1e8) / 1e8;

/**
 * No built-in strategy rests stop orders at the venue (atr-breakout's trailing stop sells at
 * market on a close), so this one covers them: when flat with nothing open, every 30 bars, a
 * market entry with a stop-loss and a take-profit 0.4 % either side of the close.
 */
class Bracketer extends Strategy<Record<string, never>> {
  static readonly id = 'parity-bracketer';
  static readonly description = 'test strategy: repeated brackets';
  static readonly paramsSchema = z.object({});
  private bars = 0;

  override onBar(bar: Bar): void {
    if (this.bars++ % 30 !== 0) return;
    if (this.ctx.openOrders(bar.symbol).length > 0 || this.ctx.position(bar.symbol).qtyNumber !== 0) return;
    this.ctx.bracket({
      symbol: bar.symbol,
      side: 'BUY',
      quantity: 100,
      stopLoss: tick(bar.close * 0.996),
      takeProfit: tick(bar.close * 1.004),
    });
  }
}

interface Deployment {
  readonly strategy: string;
  readonly params: Record<string, unknown>;
  readonly sizing: string;
  /** Fills the backtest makes at least (it makes more). */
  readonly minFills: number;
}

/** An order as both sides see it: what was asked, not the engine's ids. */
type OrderRow = [side: string, type: string, qty: string, price: string];
/** A fill: side, quantity, price, fee, time (the end of the bar it matched on). */
type FillRow = [side: string, qty: string, px: string, fee: string, ts: number];

interface RunResult {
  readonly orders: OrderRow[];
  readonly fills: FillRow[];
  readonly equity: number;
}

const orderRow = (r: OrderRequest): OrderRow => [
  r.side,
  r.type,
  formatFixed(r.quantity),
  r.price === undefined ? '-' : formatFixed(r.price),
];

/** Records the requests of a backtest's orders as the strategy hears them created. */
function recording(base: AnyStrategyClass, orders: OrderRow[]): AnyStrategyClass {
  const Base = base as unknown as new (...args: never[]) => {
    onOrderUpdate(order: OrderView, event: OrderEvent): void;
  };
  class Recording extends Base {
    override onOrderUpdate(order: OrderView, event: OrderEvent): void {
      if (event.type === 'OrderInitialized') orders.push(orderRow(event.request));
      super.onOrderUpdate(order, event);
    }
  }
  return Recording as unknown as AnyStrategyClass;
}

function backtest(d: Deployment): RunResult {
  const series = loadBarSeries(CANDLES).series;
  const orders: OrderRow[] = [];
  const inst = defaultInstruments([SYMBOL], COMMISSION)[0];
  if (inst === undefined) throw new Error('no instrument');
  const bt = runBacktest({
    series: [series],
    strategy: recording(findStrategy(d.strategy), orders),
    params: d.params,
    initialCash: INITIAL_CASH,
    commission: COMMISSION,
    instruments: [{ symbol: SYMBOL, tickSize: inst.tickSize, lotSize: inst.lotSize }],
    fill: { fillAt: 'next-open' },
    sizing: parseSizing(d.sizing, inst.lotSize),
  });
  return {
    orders,
    fills: bt.fills.map((f) => [
      f.side,
      formatFixed(toFixed(f.quantity)),
      formatFixed(toFixed(f.price)),
      formatFixed(toFixed(f.fee)),
      f.ts,
    ]),
    equity: bt.node.portfolio.equity(),
  };
}

const dirs: string[] = [];

async function until(cond: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function shadowReplay(d: Deployment): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'qts-parity-'));
  dirs.push(dir);
  const config = AppConfigSchema.parse({
    mode: 'shadow',
    marketData: { source: 'replay', replayFiles: [CANDLES], replayBarsPerSecond: 1000 },
    account: { currency: 'ETH', initialCash: INITIAL_CASH, commission: COMMISSION },
    strategies: [
      {
        id: d.strategy,
        strategy: d.strategy,
        symbols: [SYMBOL],
        timeframe: '1m',
        params: d.params,
        sizing: d.sizing,
      },
    ],
    storage: { dbPath: join(dir, 'trading.db') },
    api: { host: '127.0.0.1', port: 0 },
    // The engine's risk limits are not the backtest's (it runs none): opened wide, see the top.
    risk: { staleDataMs: 600_000, priceBandPct: 0.5, maxOrdersPerMinute: 1_000_000 },
  });
  const rt = await TradingRuntime.startShadow(config, {
    log: pino({ level: 'silent' }),
    noServices: true,
    noHttp: true,
  });
  const orders: OrderRow[] = [];
  const fills: FillRow[] = [];
  rt.node.bus.subscribe(ORDER_EVENTS, (e) => {
    if (e.type === 'OrderInitialized') orders.push(orderRow(e.request));
    if (e.type === 'OrderFilled')
      fills.push([e.side, formatFixed(e.lastQty), formatFixed(e.lastPx), formatFixed(e.fee), e.ts]);
  });
  try {
    expect(rt.market.source).toBe('replay');
    // Each bar is processed whole (venue, strategy, its orders) inside the feed's tick, so once
    // none remains the run is over: no wait on the wall clock's pace.
    const feed = rt.market.feed as unknown as ReplayFeed;
    await until(() => feed.remaining === 0, 'the end of the replay');
    return { orders, fills, equity: rt.node.portfolio.equity() };
  } finally {
    await rt.stop();
  }
}

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Different order styles: market in and out, resting limits, timers, stops and take-profits. */
const CASES: Deployment[] = [
  // Market orders sized by the sizer.
  { strategy: 'sma-cross', params: { fast: 5, slow: 20 }, sizing: 'fixed:100', minFills: 150 },
  { strategy: 'rsi', params: {}, sizing: 'fixed:100', minFills: 4 },
  { strategy: 'bollinger', params: {}, sizing: 'fixed:100', minFills: 50 },
  { strategy: 'atr-breakout', params: {}, sizing: 'fixed:100', minFills: 150 },
  // Percent-of-equity sizing: equity must agree bar by bar for the quantities to.
  { strategy: 'sma-cross', params: { fast: 10, slow: 30 }, sizing: 'percent:20', minFills: 50 },
  // Resting limit orders, sized from equity, answered from fills.
  {
    strategy: 'grid',
    params: { levels: 5, spacingPct: 0.3, orderSize: 0.1 },
    sizing: 'fixed:100',
    minFills: 150,
  },
  // Quote amounts floored to the lot, every N bars, and a take-profit sell.
  {
    strategy: 'dca',
    params: { amount: 0.05, everyBars: 60, takeProfitPct: 1 },
    sizing: 'fixed:100',
    minFills: 40,
  },
  // A timer (failed before ReplayClock: no order at all in shadow).
  { strategy: 'dca', params: { amount: 0.05, interval: '1h' }, sizing: 'fixed:100', minFills: 50 },
  // Brackets: stop-loss and take-profit resting at the venue, one cancelling the other.
  { strategy: Bracketer.id, params: {}, sizing: 'fixed:100', minFills: 100 },
];

describe.skipIf(!HAS_SHARED_DATA)('shadow replay trades like the backtest', () => {
  for (const d of CASES) {
    it(`${d.strategy} ${JSON.stringify(d.params)} ${d.sizing}`, async () => {
      const bt = backtest(d);
      const sh = await shadowReplay(d);
      // Each case trades, or the comparison would prove nothing.
      expect(bt.fills.length).toBeGreaterThanOrEqual(d.minFills);
      expect(sh.orders).toEqual(bt.orders);
      expect(sh.fills).toEqual(bt.fills);
      expect(sh.equity).toBe(bt.equity);
    }, 120_000);
  }
});
