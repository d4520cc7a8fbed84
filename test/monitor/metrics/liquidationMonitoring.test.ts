/**
 * A shadow liquidation reaches the operator: the real engine liquidates a 10x long on the fake
 * Binance futures, its fill line goes out on LIQUIDATION_FILLS (no order event), and the
 * metrics service counts it in `trading_fills_total` and `trading_liquidations_total` while the
 * notification service tells it as a critical LIQUIDATION, not as an ordinary fill.
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
import { formatFixed } from '../../../src/core/Fixed.js';
import { LIQUIDATION_FILLS } from '../../../src/kernel/topics.js';
import type { OrderFilled } from '../../../src/model/events.js';
import { NULL_AUDIT } from '../../../src/monitor/AuditSink.js';
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

    await h.step(fake, rt, 1);
    rt.node.submit('manual', buy('1000'));
    await h.step(fake, rt, 1);
    await h.stepToLiquidation(fake, rt, trades.length);
    const liq = ClearingWatch.liquidations[0];
    if (liq === undefined) throw new Error('no liquidation');
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
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
      },
    });
    expect(told[0]?.text).toContain(`was LIQUIDATED at ${px}`);
    expect(sender.sent.some((n) => n.title.startsWith(`Filled BUY 1000 ${PERP}`))).toBe(true);
    expect(sender.sent.some((n) => n.title.startsWith('Filled SELL'))).toBe(false);
  }, 60_000);
});
