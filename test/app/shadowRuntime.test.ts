import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ccxt from 'ccxt';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { TradingRuntime } from '../../src/app/TradingRuntime.js';
import { runBacktest } from '../../src/backtest/runBacktest.js';
import { AppConfigSchema } from '../../src/config/configSchema.js';
import { formatFixed, toFixed, toNumber } from '../../src/core/Fixed.js';
import { loadBarSeries } from '../../src/data/loadBarSeries.js';
import { sliceSeries } from '../../src/data/sliceSeries.js';
import { barsTopic, tradesTopic } from '../../src/kernel/topics.js';
import type { Bar } from '../../src/model/Bar.js';
import { barAt } from '../../src/model/BarSeries.js';
import { parseSizing } from '../../src/portfolio/Sizer.js';
import { findStrategy } from '../../src/strategies/registry.js';
import { CommandQueue } from '../../src/storage/sqlite/CommandQueue.js';
import { FillStore } from '../../src/storage/sqlite/FillStore.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { FakeBinance } from '../support/fakeBinance/FakeBinance.js';
import { loadTradesCsv } from '../support/fakeBinance/loadTradesCsv.js';
import { HAS_SHARED_DATA, sharedFile } from '../support/sharedData.js';

const TRADES = sharedFile('crypto/trades/XRP_ETH-trades.csv');
const CANDLES = sharedFile('crypto/spot-1m/XRP_ETH-1m.csv');
const PARAMS = { fast: 5, slow: 20 };

async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe.skipIf(!HAS_SHARED_DATA)('shadow runtime against the fake exchange', () => {
  const dbPath = join(mkdtempSync(join(tmpdir(), 'qts-shadow-')), 'trading.db');
  const log = pino({ level: 'silent' });
  let fake: FakeBinance | undefined;
  afterAll(async () => {
    await fake?.close();
  });
  const config = AppConfigSchema.parse({
    mode: 'shadow',
    marketData: { source: 'exchange' },
    account: { currency: 'ETH', initialCash: 10, commission: 0.001 },
    strategies: [
      {
        id: 'sma-xrp',
        strategy: 'sma-cross',
        symbols: ['XRP/ETH'],
        timeframe: '1m',
        params: PARAMS,
        sizing: 'fixed:100',
      },
    ],
    storage: { dbPath },
    api: { host: '127.0.0.1', port: 0 },
    // 41 hours of trades replay in seconds: the per-minute order budget (wall clock) must not bind here.
    risk: { staleDataMs: 600_000, priceBandPct: 0.5, maxOrdersPerMinute: 1_000_000 },
  });
  const start = (f: FakeBinance) =>
    TradingRuntime.startShadow(config, {
      log,
      exchangeFactory: async () => {
        const ex = new ccxt.pro.binance();
        await f.configure(ex);
        return ex;
      },
    });

  it('trades like the backtest over the same prices, persists everything, never touches a private endpoint, and resumes after a restart', async () => {
    const trades = loadTradesCsv(TRADES);
    fake = await FakeBinance.start({ markets: [{ symbol: 'XRP/ETH', trades }] });
    const f = fake;
    const rt = await start(f);
    const bars: Bar[] = [];
    let lastTrade = -1;
    rt.node.bus.subscribe(barsTopic('XRP/ETH', '1m'), (b) => bars.push(b));
    rt.node.bus.subscribe(tradesTopic('XRP/ETH'), (t) => (lastTrade = Number(t.id)));
    await f.waitForSubscription('xrpeth@trade', 10_000);
    while (f.step(500) > 0) {
      const want = trades[f.cursor('XRP/ETH') - 1]?.id ?? -1;
      await until(() => lastTrade === want, `trade ${want}`);
    }
    const candles = loadBarSeries(CANDLES).series;
    await until(() => bars.length === candles.length - 1, 'every closed 1m bar');
    // The bars the strategy saw, built live from the streamed trades, are the exchange's candles.
    expect(bars).toEqual(Array.from({ length: candles.length - 1 }, (_, i) => barAt(candles, i)));

    // The status says where the data came from; readiness is green.
    const status = (await (await fetch(`http://127.0.0.1:${rt.port}/api/v1/status`)).json()) as {
      marketData: { source: string };
    };
    expect(status.marketData.source).toBe('exchange');
    expect((await fetch(`http://127.0.0.1:${rt.port}/api/v1/health/ready`)).status).toBe(200);
    const position = rt.node.portfolio.positionQty('XRP/ETH');
    const cash = rt.node.portfolio.cash();
    // Shadow trades Binance's own instrument: whole-coin lots, the fee taken from the coin received.
    const inst = rt.node.instrument('XRP/ETH');
    expect([inst.feeSide, formatFixed(inst.lotSize)]).toEqual(['get', '1']);
    await rt.stop();

    // Shadow mode holds no keys: the exchange saw only public traffic.
    expect(f.privateRequestCount()).toBe(0);

    // Parity: the same strategy, backtested on the candles of the same trades, fills at the next open.
    const bt = runBacktest({
      series: [sliceSeries(candles, undefined, candles.ts[candles.length - 1])],
      strategy: findStrategy('sma-cross'),
      params: PARAMS,
      initialCash: 10,
      commission: 0.001,
      instruments: [
        {
          symbol: 'XRP/ETH',
          tickSize: inst.tickSize,
          lotSize: inst.lotSize,
          feeSide: inst.feeSide,
          feeStep: inst.feeStep,
        },
      ],
      fill: { fillAt: 'next-open' },
      sizing: parseSizing('fixed:100', toFixed(1)),
    });
    const db = openDatabase(dbPath);
    const shadowFills = new FillStore(db)
      .list({ limit: 10_000 })
      .reverse() // newest first in the store
      .map((x) => [x.side, formatFixed(x.qty), formatFixed(x.px)]);
    const backtestFills = bt.fills.map((x) => [
      x.side,
      formatFixed(toFixed(x.quantity)),
      formatFixed(toFixed(x.price)),
    ]);
    expect(backtestFills.length).toBeGreaterThan(20);
    expect(shadowFills).toEqual(backtestFills);

    // Restart: the paper account resumes exactly; a kill switch queued by the CLI halts it, and the halt survives a restart.
    const rt2 = await start(f);
    expect(rt2.node.portfolio.positionQty('XRP/ETH')).toBe(position);
    expect(rt2.node.portfolio.cash()).toBe(cash);
    // A restored position counts in equity at its entry price until the market prices it (this
    // session usually ends flat; test/portfolio/Portfolio.restore.test.ts holds a position).
    const held = rt2.node.portfolio.ledger.position('XRP/ETH');
    expect(rt2.node.portfolio.equity()).toBeCloseTo(toNumber(cash) + toNumber(held.costBasis), 9);
    expect(rt2.node.risk.state).toBe('ACTIVE');
    new CommandQueue(db).enqueue({ ts: 1, command: 'kill', args: { reason: 'test' }, issuedBy: 'cli' });
    rt2.runCommands();
    expect(rt2.node.risk.state).toBe('HALTED');
    expect(new CommandQueue(db).pending()).toEqual([]);
    await rt2.stop();
    const rt3 = await start(f);
    expect(rt3.node.risk.state).toBe('HALTED');
    expect(rt3.status().tradingStateReason).toMatch(/test \(by cli\)/);
    await rt3.stop();
    db.close();
  }, 120_000);
});
