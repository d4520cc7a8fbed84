/**
 * A shadow liquidation reaches the operator: the real engine liquidates a 10x long on the fake
 * Binance futures, its fill line goes out on LIQUIDATION_FILLS (no order event) and the
 * liquidation on LIQUIDATIONS, and the metrics service counts it in `trading_fills_total` and
 * `trading_liquidations_total` while the notification service tells it as a critical
 * LIQUIDATION, not as an ordinary fill. A liquidation in several trades (live: the exchange's
 * force order) is one liquidation: one count, one notification with the sums — unit-tested
 * here, end to end in test/live/futures/liveLiquidation.test.ts and liveAdl.test.ts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { TradingRuntime } from '../../../src/app/TradingRuntime.js';
import { startMetricsService } from '../../../src/app/services/metricsService.js';
import { startNotifyService } from '../../../src/app/services/notifyService.js';
import type { ServiceContext } from '../../../src/app/services/ServiceContext.js';
import type { AppConfig } from '../../../src/config/configSchema.js';
import { liquidationBooked } from '../../../src/app/LiquidationBooking.js';
import { formatFixed, parseFixed } from '../../../src/core/Fixed.js';
import type { LiquidationBooked } from '../../../src/kernel/topics.js';
import { LIQUIDATIONS, LIQUIDATION_FILLS } from '../../../src/kernel/topics.js';
import type { OrderFilled } from '../../../src/model/events.js';
import type { LiquidationTrade, PositionLiquidated } from '../../../src/model/futuresEvents.js';
import { liquidationFills } from '../../../src/model/futuresEvents.js';
import { MarginMode } from '../../../src/model/MarginMode.js';
import { NULL_AUDIT } from '../../../src/monitor/AuditSink.js';
import { OrderEventMetrics } from '../../../src/monitor/metrics/OrderEventMetrics.js';
import { TradingMetrics } from '../../../src/monitor/metrics/TradingMetrics.js';
import { liquidationNotification } from '../../../src/notify/engineNotifications.js';
import type { Notification } from '../../../src/notify/Notification.js';
import type { NotificationSender } from '../../../src/notify/NotificationSender.js';
import { PERP, until } from '../../live/futures/support/futuresHarness.js';
import {
  ClearingWatch,
  ShadowPerpHarness,
  buy,
  fallingTape,
  shadowConfig,
  startFake,
} from '../../app/support/shadowPerpetualsHarness.js';
import { liquidationTrade } from '../../support/liquidationTrade.js';

/** Keeps what it is sent, as a Telegram chat would. */
class RecordingSender implements NotificationSender {
  readonly name = 'recording';
  readonly secrets: readonly string[] = [];
  readonly sent: Notification[] = [];
  send(n: Notification): Promise<void> {
    this.sent.push(n);
    return Promise.resolve();
  }
}

/** 10x isolated on a 200 USDT wallet, metrics on any free port. */
function liquidationConfig(): AppConfig {
  const dbPath = join(mkdtempSync(join(tmpdir(), 'qts-liq-monitor-')), 'trading.db');
  const config = shadowConfig(
    dbPath,
    { live: { perpetuals: { [PERP]: { leverage: 10, marginMode: 'isolated' } } } },
    200,
  );
  return { ...config, metrics: { ...config.metrics, port: 0 } };
}

/** The value of one series of the exposition, 0 when it is absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe('a shadow liquidation in the metrics and the notifications', () => {
  const h = new ShadowPerpHarness();
  afterEach(() => h.close());

  it('counts the LIQUIDATION fill line in trading_fills_total and trading_liquidations_total, and tells it as a critical LIQUIDATION', async () => {
    const trades = fallingTape();
    const fake = await startFake(trades);
    h.closers.push(() => fake.close());
    fake.step(2);
    const config = liquidationConfig();
    const rt: TradingRuntime = await h.start(fake, config);
    const log = pino({ level: 'silent' });
    const ctx: ServiceContext = {
      mode: 'shadow',
      config,
      log,
      audit: NULL_AUDIT,
      logTail: undefined,
      status: rt,
      engine: rt,
      now: () => Date.now(),
    };
    const metrics = await startMetricsService(ctx);
    if (metrics === undefined) throw new Error('metrics service did not start');
    h.closers.push(() => metrics.stop());
    const sender = new RecordingSender();
    const notify = startNotifyService(ctx, { senders: [sender], pollMs: 10 });
    if (notify === undefined) throw new Error('notify service did not start');
    h.closers.push(() => notify.stop());
    const lines: OrderFilled[] = [];
    const off = rt.node.bus.subscribe(LIQUIDATION_FILLS, (e) => lines.push(e));
    h.closers.push(() => Promise.resolve(off()));
    const booked: LiquidationBooked[] = [];
    const offBooked = rt.node.bus.subscribe(LIQUIDATIONS, (e) => booked.push(e));
    h.closers.push(() => Promise.resolve(offBooked()));

    await h.step(fake, rt, 1);
    rt.node.submit('manual', buy('1000'));
    await h.step(fake, rt, 1);
    await h.stepToLiquidation(fake, rt, trades.length);
    const liq = ClearingWatch.liquidations[0];
    if (liq === undefined) throw new Error('no liquidation');
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(booked).toHaveLength(1);
    expect(booked[0]).toMatchObject({
      cause: 'liquidation',
      venue: 'shadow',
      qty: line.lastQty,
      avgPx: line.lastPx,
      fees: [{ currency: line.feeCurrency, amount: line.fee }],
      lines: [line],
      continued: false,
    });
    expect(line).toMatchObject({
      orderId: 'LIQUIDATION',
      strategyId: 'manual',
      side: 'SELL',
      liquidity: 'TAKER',
    });

    // Prometheus reads the liquidation as the fill that closed the long, and as a liquidation.
    const text = await (await fetch(`http://127.0.0.1:${metrics.port}/metrics`)).text();
    const labels = `strategy="manual",symbol="${PERP}",side="SELL"`;
    expect(sample(text, `trading_fills_total{${labels},liquidity="TAKER"}`)).toBe(1);
    expect(
      sample(text, `trading_fills_total{strategy="manual",symbol="${PERP}",side="BUY",liquidity="TAKER"}`),
    ).toBe(1);
    expect(sample(text, `trading_liquidations_total{${labels}}`)).toBe(1);

    // Told once, as what it is: the ordinary fill that opened the long stays an ordinary fill.
    await until(
      () => sender.sent.some((n) => n.title.startsWith('LIQUIDATION')),
      'the liquidation notification',
    );
    const told = sender.sent.filter((n) => n.title.startsWith('LIQUIDATION'));
    expect(told).toHaveLength(1);
    const px = formatFixed(liq.price);
    expect(told[0]).toMatchObject({
      kind: 'risk',
      severity: 'critical',
      title: `LIQUIDATION: long 1000 ${PERP} closed @ ${px}`,
      time: liq.ts,
      data: {
        liquidation: true,
        strategy: 'manual',
        symbol: PERP,
        side: 'SELL',
        position: 'long',
        qty: '1000',
        price: px,
        orderId: 'LIQUIDATION',
        tradeId: line.tradeId,
        tradeIds: line.tradeId,
        kind: 'liquidation',
        trades: 1,
        fee: formatFixed(line.fee),
      },
    });
    expect(told[0]?.text).toContain(`was LIQUIDATED at ${px}`);
    expect(sender.sent.some((n) => n.title.startsWith(`Filled BUY 1000 ${PERP}`))).toBe(true);
    expect(sender.sent.some((n) => n.title.startsWith('Filled SELL'))).toBe(false);
  }, 60_000);
});

/** A 1000 XRP long, liquidated by the exchange in `trades`. */
function liquidation(trades: readonly LiquidationTrade[]): PositionLiquidated {
  return {
    type: 'PositionLiquidated',
    symbol: PERP,
    ts: 1_700_000_000_000,
    marginMode: MarginMode.ISOLATED,
    side: 'SELL',
    positionQty: parseFixed('1000'),
    price: parseFixed('1.045'),
    markPrice: parseFixed('1.05'),
    realizedPnl: parseFixed('-150'),
    fee: parseFixed('13'),
    insuranceCovered: parseFixed('0'),
    currency: 'USDT',
    trades,
  };
}

/** What the booking publishes for `e`: its fill lines, then the one liquidation they are. */
function booking(
  e: PositionLiquidated,
  continued = false,
): { lines: OrderFilled[]; booked: LiquidationBooked } {
  const lines = liquidationFills(e, 'manual', (id) => `LIQ-${PERP}-${id ?? 'x'}`);
  const booked = liquidationBooked(e, lines, 'binanceusdm', {
    cause: 'liquidation',
    venueOrderId: '77',
    continued,
  });
  if (booked === undefined) throw new Error('nothing booked');
  return { lines, booked };
}

describe('a liquidation filled in several trades is one liquidation', () => {
  const three = liquidation([
    liquidationTrade('1', '500', '1.05', '6.5625'),
    liquidationTrade('2', '300', '1.04', '3.9'),
    liquidationTrade('3', '200', '1.03', '2.575'),
  ]);

  it('sums the lines: quantity, volume-weighted average price, fee per currency, the trades', () => {
    const { lines, booked } = booking(three);
    expect(lines).toHaveLength(3);
    // (500 × 1.05 + 300 × 1.04 + 200 × 1.03) ÷ 1000 = 1043 ÷ 1000
    expect(booked).toMatchObject({
      type: 'LiquidationBooked',
      cause: 'liquidation',
      venue: 'binanceusdm',
      symbol: PERP,
      strategyId: 'manual',
      side: 'SELL',
      ts: 1_700_000_000_003,
      qty: parseFixed('1000'),
      avgPx: parseFixed('1.043'),
      fees: [{ currency: 'USDT', amount: parseFixed('13.0375') }],
      realizedPnl: parseFixed('-150'),
      venueOrderId: '77',
      continued: false,
    });
    expect(booked.lines.map((l) => l.tradeId)).toEqual([`LIQ-${PERP}-1`, `LIQ-${PERP}-2`, `LIQ-${PERP}-3`]);
    // A fee in another currency (BNB) is summed apart, never added to the USDT.
    const mixed = booking(
      liquidation([
        liquidationTrade('1', '600', '1.05', '7.875'),
        liquidationTrade('2', '400', '1.04', '0.01', 'BNB'),
      ]),
    );
    expect(mixed.booked.fees).toEqual([
      { currency: 'USDT', amount: parseFixed('7.875') },
      { currency: 'BNB', amount: parseFixed('0.01') },
    ]);
    expect(liquidationNotification(mixed.booked).data).toMatchObject({
      fee: '7.875 USDT + 0.01 BNB',
      feeCurrency: 'USDT,BNB',
    });
  });

  it('counts each line as a fill and the liquidation once; more trades of the same close count no new one', async () => {
    const metrics = new TradingMetrics({ trading: true });
    const orders = new OrderEventMetrics(metrics, () => 0);
    const { lines, booked } = booking(three);
    for (const l of lines) orders.onLiquidationFill(l);
    orders.onLiquidation(booked);
    const labels = `strategy="manual",symbol="${PERP}",side="SELL"`;
    let text = await metrics.registry.metrics();
    expect(sample(text, `trading_fills_total{${labels},liquidity="TAKER"}`)).toBe(3);
    expect(sample(text, `trading_liquidations_total{${labels}}`)).toBe(1);
    // The exchange was still filling its order at the last look: the rest is the same liquidation.
    const rest = booking(liquidation([liquidationTrade('4', '100', '1.02', '1.275')]), true);
    for (const l of rest.lines) orders.onLiquidationFill(l);
    orders.onLiquidation(rest.booked);
    text = await metrics.registry.metrics();
    expect(sample(text, `trading_fills_total{${labels},liquidity="TAKER"}`)).toBe(4);
    expect(sample(text, `trading_liquidations_total{${labels}}`)).toBe(1);
    metrics.clear();
  });

  it('tells it once with the quantity closed, the average price, the fees summed and every trade', () => {
    const { booked } = booking(three);
    const n = liquidationNotification(booked);
    expect(n).toMatchObject({
      kind: 'risk',
      severity: 'critical',
      title: `LIQUIDATION: long 1000 ${PERP} closed @ 1.043 avg, 3 trades`,
      time: 1_700_000_000_003,
      dedupKey: `liquidation|${PERP}|LIQ-${PERP}-1`,
      data: {
        liquidation: true,
        kind: 'liquidation',
        continued: false,
        venue: 'binanceusdm',
        strategy: 'manual',
        symbol: PERP,
        side: 'SELL',
        position: 'long',
        positionQty: '1000',
        qty: '1000',
        price: '1.043',
        fee: '13.0375',
        feeCurrency: 'USDT',
        realizedPnl: '-150',
        trades: 3,
        orderId: 'LIQUIDATION',
        tradeId: `LIQ-${PERP}-1`,
        tradeIds: `LIQ-${PERP}-1,LIQ-${PERP}-2,LIQ-${PERP}-3`,
        venueOrderId: '77',
      },
    });
    expect(n.text).toBe(
      `manual: the long position of 1000 ${PERP} was LIQUIDATED in 3 trades (500 @ 1.05, 300 @ 1.04, 200 @ 1.03) ` +
        'at a volume-weighted average of 1.043 (SELL taker), clearance fee 13.0375 USDT in total, realized PnL -150. ' +
        `Not an order of ours: exchange order 77, trades LIQ-${PERP}-1, LIQ-${PERP}-2, LIQ-${PERP}-3.`,
    );
  });

  it('tells more trades of a close told before as its continuation, and names at most ten trades in the text', () => {
    const rest = booking(liquidation([liquidationTrade('4', '100', '1.02', '1.275')]), true).booked;
    const n = liquidationNotification(rest);
    expect(n.title).toBe(`LIQUIDATION (continued): long ${PERP}, 100 more closed @ 1.02`);
    expect(n.data).toMatchObject({ continued: true, qty: '100', trades: 1 });
    const many = booking(
      liquidation(Array.from({ length: 12 }, (_, i) => liquidationTrade(String(i + 1), '10', '1.05', '0.1'))),
    ).booked;
    const m = liquidationNotification(many);
    expect(m.title).toBe(`LIQUIDATION: 120 of long 1000 ${PERP} closed @ 1.05 avg, 12 trades`);
    expect(m.text).toContain(', and 2 more');
    expect(m.text).not.toContain(`LIQ-${PERP}-11`);
    expect(String(m.data?.['tradeIds']).split(',')).toHaveLength(12);
  });
});
