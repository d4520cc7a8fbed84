/**
 * Shadow mode trading a USDT-M perpetual against the fake Binance futures (public endpoints
 * only): the configured leverage and margin mode are what the paper margin account uses, the
 * exchange's settled funding is charged to the paper position at the exchange's rate and mark
 * (exact), a settlement made while the engine was down is charged at the next start on the
 * restored position, once, and a position whose margin runs out is liquidated on the
 * simulated venue as in a backtest.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { shadowVariant } from '../../src/app/RuntimeVariant.js';
import type { ShadowVenue } from '../../src/app/ShadowVenue.js';
import { TradingRuntime } from '../../src/app/TradingRuntime.js';
import { AppConfigSchema } from '../../src/config/configSchema.js';
import type { AppConfig } from '../../src/config/configSchema.js';
import type { Fixed } from '../../src/core/Fixed.js';
import { parseFixed } from '../../src/core/Fixed.js';
import { tradesTopic } from '../../src/kernel/topics.js';
import type { FundingSettled, PositionLiquidated } from '../../src/model/futuresEvents.js';
import type { OrderRequest } from '../../src/model/OrderRequest.js';
import { Strategy } from '../../src/strategy/Strategy.js';
import { FakeBinance } from '../support/fakeBinance/FakeBinance.js';
import type { FakeTrade } from '../support/fakeBinance/FakeBinance.js';
import {
  PERP,
  PERP_ID,
  marketDataExchange,
  perpTape,
  until,
} from '../live/futures/support/futuresHarness.js';

const E8 = 100_000_000n; // one unit of the fake (1e-8) is 1e8 Fixed units (1e-16)
const TEN_MINUTES = 600_000;

/** Hears every funding settlement and liquidation of its symbols. */
class ClearingWatch extends Strategy<Record<string, never>> {
  static readonly id = 'clearing-watch';
  static readonly description = 'test: records onFunding and onLiquidation';
  static readonly paramsSchema = z.object({});
  static funding: FundingSettled[] = [];
  static liquidations: PositionLiquidated[] = [];
  override onFunding(event: FundingSettled): void {
    ClearingWatch.funding.push(event);
  }
  override onLiquidation(event: PositionLiquidated): void {
    ClearingWatch.liquidations.push(event);
  }
}

function buy(qty: string): OrderRequest {
  return {
    symbol: PERP,
    side: 'BUY',
    type: 'MARKET',
    quantity: parseFixed(qty),
    timeInForce: 'GTC',
    postOnly: false,
    reduceOnly: false,
    tag: 'test',
  };
}

/** A shadow engine on the perpetual: a quiet sma-cross subscribes it; settings as given. */
function shadowConfig(dbPath: string, perpetuals: Record<string, unknown>, wallet = 1000): AppConfig {
  return AppConfigSchema.parse({
    mode: 'shadow',
    exchange: { id: 'binanceusdm' },
    marketData: { source: 'exchange', warmupBars: 0 },
    account: { currency: 'USDT', initialCash: wallet, commission: 0.0005 },
    strategies: [
      {
        id: 'quiet',
        strategy: 'sma-cross',
        symbols: [PERP],
        timeframe: '1m',
        params: { fast: 100, slow: 200 },
        sizing: 'fixed:1',
      },
    ],
    storage: { dbPath },
    risk: { staleDataMs: 600_000, priceBandPct: 0.9, maxOrdersPerMinute: 1_000_000 },
    ...perpetuals,
  });
}

function startFake(trades: readonly FakeTrade[]): Promise<FakeBinance> {
  return FakeBinance.start({
    markets: [
      {
        symbol: 'XRP/USDT',
        trades,
        tickSize: '0.0001',
        lotSize: '0.1',
        futures: true,
        funding: { everyMs: TEN_MINUTES, rate: '0.0003' },
      },
    ],
  });
}

describe('shadow mode trades perpetuals as live would', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  async function start(fake: FakeBinance, config: AppConfig): Promise<TradingRuntime> {
    const rt = await TradingRuntime.start(
      config,
      {
        log: pino({ level: process.env['QTS_TEST_LOG'] ?? 'silent' }),
        noHttp: true,
        noServices: true,
        exchangeFactory: () => marketDataExchange(fake),
      },
      shadowVariant({ fundingRetryMs: 20 }),
    );
    closers.push(() => rt.stop());
    ClearingWatch.funding = [];
    ClearingWatch.liquidations = [];
    rt.node.addStrategy({
      id: 'watch',
      strategyClass: ClearingWatch,
      params: {},
      symbols: [PERP],
      timeframe: '1m',
    });
    return rt;
  }

  /** Publishes `n` trades and waits until the engine saw the last one. */
  async function step(fake: FakeBinance, rt: TradingRuntime, n: number): Promise<void> {
    let seen = -1;
    const off = rt.node.bus.subscribe(tradesTopic(PERP), (t) => (seen = Number(t.id)));
    await fake.waitForSubscription('xrpusdt@trade', 10_000);
    fake.step(n);
    const want = fake.cursor('XRP/USDT');
    await until(() => seen === want, `trade ${want} seen`, 10_000);
    off();
  }

  /** The funding points the shadow clearing holds for the perpetual. */
  function fundingPoints(rt: TradingRuntime): number {
    return (rt.venue as ShadowVenue).perpetuals?.funding?.funding.get(PERP)?.length ?? 0;
  }

  /** The fake's settled rate and mark at index `i`, in Fixed units. */
  function settledAt(fake: FakeBinance, i: number): { time: number; rate: Fixed; mark: Fixed } {
    const r = fake.funding.rates.filter((x) => x.symbol === PERP_ID)[i];
    if (r === undefined) throw new Error(`no settlement ${i}`);
    return { time: r.time, rate: (r.rate * E8) as Fixed, mark: (r.markPrice * E8) as Fixed };
  }

  /** −qty × mark × rate, exact (qty, mark and rate have few decimals). */
  const charge = (qty: Fixed, mark: Fixed, rate: Fixed): bigint => -((qty * mark * rate) / 10n ** 32n);

  it('margins at the configured 5x cross and charges the settled funding exactly, also one made while stopped', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'qts-shadow-perp-')), 'trading.db');
    const fake = await startFake(perpTape(40));
    closers.push(() => fake.close());
    fake.step(4);
    const config = shadowConfig(dbPath, {
      shadow: { perpetuals: { [PERP]: { leverage: 5, marginMode: 'cross' } } },
    });
    let rt = await start(fake, config);
    expect(rt.node.portfolio.margin.settings(PERP)).toEqual({ leverage: 5, mode: 'CROSS' });
    await step(fake, rt, 1);

    // 5000 XRP at ~1.2 is ~6000 USDT: 1200 of margin at 5x, more than the 1000 of the wallet.
    const tooBig = rt.node.submit('manual', buy('5000'));
    expect(tooBig.status).toBe('REJECTED');
    expect(tooBig.reasonCode).toBe('ERR_INSUFFICIENT_MARGIN');
    // 3000 XRP (~3600 USDT) needs ~720 at 5x: accepted, filled at the next trade.
    const fits = rt.node.submit('manual', buy('3000'));
    expect(fits.status).not.toBe('REJECTED');
    await step(fake, rt, 1);
    expect(rt.node.portfolio.positionQty(PERP)).toBe(parseFixed('3000'));

    // The fake settles at the first ten-minute mark of its replay clock; the engine reads the
    // settled rate once market time passes the announced funding time.
    while (fake.funding.rates.length === 0) await step(fake, rt, 1);
    await until(() => fundingPoints(rt) > 0, 'the settled rate read');
    const cashBefore = rt.node.portfolio.cash('USDT');
    await step(fake, rt, 1);
    const first = settledAt(fake, 0);
    const held = parseFixed('3000');
    const heard = ClearingWatch.funding.find((e) => e.ts === first.time);
    expect(heard).toBeDefined();
    expect(heard?.rate).toBe(first.rate);
    expect(heard?.markPrice).toBe(first.mark);
    expect(heard?.positionQty).toBe(held);
    expect(heard?.amount).toBe(charge(held, first.mark, first.rate));
    expect(heard?.amount).toBeLessThan(0n);
    expect(rt.node.portfolio.cash('USDT') - cashBefore).toBe(heard?.amount);
    expect(rt.node.portfolio.ledger.fundingNet('USDT')).toBe(heard?.amount);

    // Stopped over the next funding time: charged at the next start, on the restored position, once.
    const cashAtStop = rt.node.portfolio.cash('USDT');
    await rt.stop();
    fake.step(44);
    expect(fake.funding.rates.length).toBe(2);
    const second = settledAt(fake, 1);
    rt = await start(fake, config);
    expect(rt.node.portfolio.positionQty(PERP)).toBe(held);
    expect(rt.node.portfolio.margin.settings(PERP)).toEqual({ leverage: 5, mode: 'CROSS' });
    expect(rt.node.portfolio.cash('USDT') - cashAtStop).toBe(charge(held, second.mark, second.rate));
    await rt.stop();
    // A third start charges nothing again.
    rt = await start(fake, config);
    expect(rt.node.portfolio.cash('USDT') - cashAtStop).toBe(charge(held, second.mark, second.rate));
    // Paper trading: public endpoints only (settled rates, premiumIndex), no key anywhere.
    expect(fake.privateRequestCount()).toBe(0);
    expect(fake.log.some((r) => r.path.startsWith('/fapi/v1/fundingRate'))).toBe(true);
  }, 60_000);

  it('liquidates a 10x isolated long on the simulated venue when the price falls through its liquidation price', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'qts-shadow-liq-')), 'trading.db');
    // 1.2 for a few minutes, then a fall to 1.0 (-17 %: far beyond a 10x long's ~-9.5 %).
    const base = 1_700_000_040_000;
    const trades: FakeTrade[] = Array.from({ length: 40 }, (_, i) => ({
      id: 1 + i,
      ts: base + i * 15_000,
      price: i < 20 ? 1.2 : Math.max(1.0, 1.2 - (i - 19) * 0.02),
      amount: 500,
      side: i % 2 === 0 ? 'buy' : 'sell',
    }));
    const fake = await startFake(trades);
    closers.push(() => fake.close());
    fake.step(2);
    // Through live.perpetuals: shadow mirrors live when shadow.perpetuals is not set.
    const config = shadowConfig(
      dbPath,
      { live: { perpetuals: { [PERP]: { leverage: 10, marginMode: 'isolated' } } } },
      200,
    );
    const rt = await start(fake, config);
    expect(rt.node.portfolio.margin.settings(PERP)).toEqual({ leverage: 10, mode: 'ISOLATED' });
    await step(fake, rt, 1);
    // 1000 XRP at 1.2 = 1200 USDT: 120 of margin at 10x.
    rt.node.submit('manual', buy('1000'));
    await step(fake, rt, 1);
    expect(rt.node.portfolio.positionQty(PERP)).toBe(parseFixed('1000'));
    const lp = rt.node.portfolio.margin.liquidationPrice(PERP);
    expect(lp).toBeDefined();
    while (ClearingWatch.liquidations.length === 0 && fake.cursor('XRP/USDT') < trades.length)
      await step(fake, rt, 1);
    const liq = ClearingWatch.liquidations[0];
    expect(liq?.positionQty).toBe(parseFixed('1000'));
    // A trade print is a one-price bar: the price that went through the liquidation price closes it.
    expect(liq?.price).toBeLessThanOrEqual(lp ?? 0n);
    expect(liq?.marginMode).toBe('ISOLATED');
    expect(rt.node.portfolio.positionQty(PERP)).toBe(0n);
    // Isolated: at most the position's margin (and what it paid to open) is lost.
    expect(rt.node.portfolio.cash('USDT')).toBeGreaterThan(parseFixed('70'));
  }, 60_000);
});
