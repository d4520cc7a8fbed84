/**
 * Live: fills of a strategy's order that the engine learns of before the strategy can act —
 * while it warms up on history, or from the start-up reconciliation (the order filled at the
 * exchange while the engine was down) — are booked at once, and handed to the strategy once it
 * runs, after its warm-up, on a live price: the protective order it sends in reaction really
 * reaches the exchange instead of being refused with ERR_WARMING_UP or sent before it started.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Exchange } from 'ccxt';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { TradingRuntime } from '../../src/app/TradingRuntime.js';
import { ZERO, toFixed, toNumber } from '../../src/core/Fixed.js';
import type { OrderEvent, OrderFilled } from '../../src/model/events.js';
import type { OrderView } from '../../src/model/OrderView.js';
import type * as Registry from '../../src/strategies/registry.js';
import { Strategy } from '../../src/strategy/Strategy.js';
import type { StrategyContext } from '../../src/strategy/StrategyContext.js';
import type { Harness } from '../live/support/liveHarness.js';
import {
  SYMBOL,
  liveTestConfig,
  startHarness,
  startLiveRuntime,
  until,
} from '../live/support/liveHarness.js';

vi.mock('../../src/strategies/registry.js', async (importOriginal) => {
  const actual = await importOriginal<typeof Registry>();
  return {
    ...actual,
    // FillProbe is defined below; the lookup runs only once the test starts an engine.
    findStrategy: (id: string) => (id === FillProbe.id ? FillProbe : actual.findStrategy(id)),
  };
});

const log = pino({ level: process.env['QTS_TEST_LOG'] ?? 'silent' });

/** What the probe saw, in order: `start`, and `<event type> <order id>` with when it came. */
let heard: string[] = [];
/** The orders the probe sent in reaction to a fill. */
let reactions: OrderView[] = [];
/** The running probe's context: what the engine booked, seen from the strategy. */
let probeCtx: StrategyContext | undefined;

/** Answers each filled buy with a take-profit: a limit sell of what the account holds, 5 % above. */
class FillProbe extends Strategy<Record<string, never>> {
  static readonly id = 'fill-probe';
  static readonly description = 'test strategy: a take-profit after each buy fill';
  static readonly paramsSchema = z.object({});

  override onStart(): void {
    super.onStart();
    probeCtx = this.ctx;
    heard.push('start');
  }

  override onOrderUpdate(order: OrderView, event: OrderEvent): void {
    const price = this.ctx.lastPrice(order.symbol);
    heard.push(
      `${event.type} ${order.id}${this.ctx.isWarmingUp ? ' warming' : ''}${price === undefined ? ' unpriced' : ''}`,
    );
  }

  override onFill(fill: OrderFilled, order: OrderView): void {
    if (order.side !== 'BUY') return;
    const price = toNumber(fill.lastPx) * 1.05;
    reactions.push(this.ctx.sell(fill.symbol, undefined, { type: 'LIMIT', price, tag: 'take-profit' }));
  }
}

describe('live: fills before the strategy can act reach it once it runs', () => {
  let h: Harness | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await h?.close();
    h = undefined;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  /** A live engine on the fake; `wrapMarket` may change the market data instance (its klines). */
  function start(
    harness: Harness,
    dbPath: string,
    warmupBars: number,
    wrapMarket?: (ex: Exchange) => void,
    signal?: AbortSignal,
  ) {
    const config = liveTestConfig({
      dbPath,
      account: { currency: 'USDT', initialCash: 100_000, commission: 0.001 },
      sma: { id: 'unused', symbol: SYMBOL, fast: 5, slow: 20, sizing: 'fixed:0.1' },
      live: { reconcileIntervalMs: 60_000, resolveWithinMs: 2_000, streams: false },
      extra: {
        marketData: { source: 'exchange', warmupBars, warmupTimeoutMs: 60_000 },
        strategies: [{ id: 'probe', strategy: FillProbe.id, symbols: [SYMBOL], timeframe: '1m', params: {} }],
      },
    });
    return startLiveRuntime(harness, config, {
      log,
      ...(signal === undefined ? {} : { signal }),
      ...(wrapMarket === undefined ? {} : { wrapMarket }),
    });
  }

  /**
   * A first run leaves a limit buy of the probe resting at the exchange, under the market (the
   * tape swings 1980–2020 and opens near 2010): the next trades down to it fill it.
   */
  async function restingBuy(): Promise<{ harness: Harness; dbPath: string; buyId: string }> {
    heard = [];
    reactions = [];
    probeCtx = undefined;
    h = await startHarness();
    const harness = h;
    const dir = mkdtempSync(join(tmpdir(), 'qts-held-live-'));
    dirs.push(dir);
    const dbPath = join(dir, 'trading.db');
    const first = await start(harness, dbPath, 0);
    let buyId: string;
    try {
      await harness.fake.waitForSubscription('ethusdt@trade', 10_000);
      harness.fake.step(1);
      await until(() => first.lastData.has(SYMBOL), 'a trade to reach the engine');
      const buy = first.node.submit('probe', {
        symbol: SYMBOL,
        side: 'BUY',
        type: 'LIMIT',
        price: toFixed(1995),
        quantity: toFixed('0.05'),
        timeInForce: 'GTC',
        postOnly: false,
        reduceOnly: false,
      });
      buyId = buy.id;
      await until(() => buy.status === 'ACCEPTED', 'the exchange to accept the buy');
      expect(heard).toEqual([
        'start',
        `OrderInitialized ${buyId}`,
        `OrderSubmitted ${buyId}`,
        `OrderAccepted ${buyId}`,
      ]);
    } finally {
      await first.stop();
    }
    expect(harness.fake.account.orderByClientId(`qts${buyId}`)?.status).toBe('NEW');
    heard = [];
    reactions = [];
    probeCtx = undefined;
    return { harness, dbPath, buyId };
  }

  /** After the start: the first live trade, then the probe's take-profit resting at the exchange. */
  async function takeProfitSent(harness: Harness, rt: TradingRuntime, buyId: string): Promise<OrderView> {
    await harness.fake.waitForSubscription('ethusdt@trade', 10_000);
    harness.fake.step(1);
    await until(() => reactions.length > 0, 'the probe to answer the fill');
    const tp = reactions[0] as OrderView;
    expect([tp.status, tp.reasonCode, tp.reason]).toEqual([
      expect.not.stringMatching(/DENIED|REJECTED/),
      undefined,
      undefined,
    ]);
    await until(() => tp.status === 'ACCEPTED', 'the exchange to accept the take-profit');
    expect(harness.fake.account.orderByClientId(`qts${tp.id}`)?.status).toBe('NEW');
    expect(rt.node.oms.order(buyId)?.status).toBe('FILLED');
    return tp;
  }

  /**
   * Starts the engine with warm-up on; its history request waits until the test lets it go
   * (`release`): meanwhile the buy fills at the exchange and the engine's order sync books it.
   */
  async function startFilledDuringWarmUp(
    harness: Harness,
    dbPath: string,
    buyId: string,
    signal?: AbortSignal,
  ): Promise<{ starting: Promise<TradingRuntime>; release: () => void }> {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let asked = 0;
    const wrap = (ex: Exchange): void => {
      const fetchOHLCV = ex.fetchOHLCV.bind(ex);
      ex.fetchOHLCV = async (...args: Parameters<typeof fetchOHLCV>) => {
        asked += 1;
        if (asked === 1) harness.fake.step(30);
        await gate;
        return fetchOHLCV(...args);
      };
    };
    const starting = start(harness, dbPath, 5, wrap, signal);
    await until(() => asked > 0, 'warm-up to ask for history', 20_000);
    expect(harness.fake.account.orderByClientId(`qts${buyId}`)?.status).toBe('FILLED');
    await until(
      () => (probeCtx?.position(SYMBOL).qty ?? ZERO) > ZERO,
      'the engine to book the fill during warm-up',
      10_000,
    );
    expect(probeCtx?.isWarmingUp).toBe(true);
    return { starting, release };
  }

  it('a fill during warm-up: held past the history, then the take-profit it sends reaches the exchange', async () => {
    const { harness, dbPath, buyId } = await restingBuy();
    const { starting, release } = await startFilledDuringWarmUp(harness, dbPath, buyId);
    release();
    const rt = await starting;
    try {
      const tp = await takeProfitSent(harness, rt, buyId);
      expect(tp.request.side).toBe('SELL');
      // Handed over after the strategy started and warmed up, on a live price.
      expect(heard.slice(0, 2)).toEqual(['start', `OrderFilled ${buyId}`]);
    } finally {
      await rt.stop();
    }
  }, 60_000);

  it('a fill the start-up reconciliation finds (the buy filled while the engine was down) reaches the strategy once it runs', async () => {
    const { harness, dbPath, buyId } = await restingBuy();
    harness.fake.step(30);
    expect(harness.fake.account.orderByClientId(`qts${buyId}`)?.status).toBe('FILLED');
    const rt = await start(harness, dbPath, 5);
    try {
      // Booked by the reconciliation before anything else ran.
      expect(rt.node.oms.order(buyId)?.status).toBe('FILLED');
      expect(rt.node.portfolio.positionQty(SYMBOL)).toBeGreaterThan(ZERO);
      await takeProfitSent(harness, rt, buyId);
      expect(heard.slice(0, 2)).toEqual(['start', `OrderFilled ${buyId}`]);
    } finally {
      await rt.stop();
    }
  }, 60_000);

  it('a stop asked for during warm-up: the fill stays booked, the strategy is never handed it, nothing is sent', async () => {
    const { harness, dbPath, buyId } = await restingBuy();
    const stop = new AbortController();
    const { starting, release } = await startFilledDuringWarmUp(harness, dbPath, buyId, stop.signal);
    stop.abort();
    release();
    const rt = await starting;
    await rt.stop();
    expect(rt.node.oms.order(buyId)?.status).toBe('FILLED');
    expect(rt.node.portfolio.positionQty(SYMBOL)).toBeGreaterThan(ZERO);
    expect(heard).toEqual(['start']);
    expect(reactions).toEqual([]);
    expect(harness.fake.account.orders('spot').map((o) => o.clientOrderId)).toEqual([`qts${buyId}`]);
  }, 60_000);
});
