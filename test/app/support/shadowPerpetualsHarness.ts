/**
 * Shadow engines trading the USDT-M perpetual of the fake Binance futures (public endpoints
 * only): the configuration, the fake, a strategy that records what the clearing tells, and
 * a step that publishes trades and waits until the engine saw them.
 */
import pino from 'pino';
import { z } from 'zod';
import { shadowVariant } from '../../../src/app/RuntimeVariant.js';
import { TradingRuntime } from '../../../src/app/TradingRuntime.js';
import type { AppConfig } from '../../../src/config/configSchema.js';
import { AppConfigSchema } from '../../../src/config/configSchema.js';
import { parseFixed } from '../../../src/core/Fixed.js';
import { tradesTopic } from '../../../src/kernel/topics.js';
import type { FundingSettled, PositionLiquidated } from '../../../src/model/futuresEvents.js';
import type { OrderRequest } from '../../../src/model/OrderRequest.js';
import { Strategy } from '../../../src/strategy/Strategy.js';
import { FakeBinance } from '../../support/fakeBinance/FakeBinance.js';
import type { FakeTrade } from '../../support/fakeBinance/FakeBinance.js';
import { PERP, marketDataExchange, until } from '../../live/futures/support/futuresHarness.js';

export const TEN_MINUTES = 600_000;

/** Hears every funding settlement and liquidation of its symbols. */
export class ClearingWatch extends Strategy<Record<string, never>> {
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

export function buy(qty: string): OrderRequest {
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

/** A shadow engine on the perpetual: a quiet sma-cross subscribes it; settings (and risk) as given. */
export function shadowConfig(
  dbPath: string,
  perpetuals: Record<string, unknown>,
  wallet = 1000,
  risk: Record<string, unknown> = {},
): AppConfig {
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
    risk: { staleDataMs: 600_000, priceBandPct: 0.9, maxOrdersPerMinute: 1_000_000, ...risk },
    ...perpetuals,
  });
}

export function startFake(trades: readonly FakeTrade[]): Promise<FakeBinance> {
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

/**
 * 1.2 for five minutes, then a fall of 0.02 a trade to 1.0 (−17 %: far beyond a 10x long's
 * ~−9.5 %); four trades a minute from a whole minute, so the first of each minute closes a bar.
 */
export function fallingTape(): FakeTrade[] {
  const base = 1_700_000_040_000;
  return Array.from({ length: 40 }, (_, i) => ({
    id: 1 + i,
    ts: base + i * 15_000,
    price: i < 20 ? 1.2 : Math.max(1.0, 1.2 - (i - 19) * 0.02),
    amount: 500,
    side: i % 2 === 0 ? 'buy' : 'sell',
  }));
}

/** Starts shadow engines on a fake and stops them (and anything else registered) after each test. */
export class ShadowPerpHarness {
  readonly closers: (() => Promise<void>)[] = [];

  async close(): Promise<void> {
    for (const c of this.closers.splice(0).reverse()) await c();
  }

  /** A shadow engine with a ClearingWatch on the perpetual (its records emptied). */
  async start(fake: FakeBinance, config: AppConfig): Promise<TradingRuntime> {
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
    this.closers.push(() => rt.stop());
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
  async step(fake: FakeBinance, rt: TradingRuntime, n: number): Promise<void> {
    let seen = -1;
    const off = rt.node.bus.subscribe(tradesTopic(PERP), (t) => (seen = Number(t.id)));
    await fake.waitForSubscription('xrpusdt@trade', 10_000);
    fake.step(n);
    const want = fake.cursor('XRP/USDT');
    await until(() => seen === want, `trade ${want} seen`, 10_000);
    off();
  }

  /** Steps one trade at a time until the engine liquidated (or the tape ends). */
  async stepToLiquidation(fake: FakeBinance, rt: TradingRuntime, tapeLength: number): Promise<void> {
    while (ClearingWatch.liquidations.length === 0 && fake.cursor('XRP/USDT') < tapeLength)
      await this.step(fake, rt, 1);
  }
}
