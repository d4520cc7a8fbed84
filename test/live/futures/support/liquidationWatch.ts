/**
 * What an operator sees of a live liquidation: the engine's metrics service (its
 * `/metrics` text) and notification service (what a recording channel was sent), started on
 * a running live engine the way the runtime starts its side services.
 */
import pino from 'pino';
import type { TradingRuntime } from '../../../../src/app/TradingRuntime.js';
import { startMetricsService } from '../../../../src/app/services/metricsService.js';
import { startNotifyService } from '../../../../src/app/services/notifyService.js';
import type { ServiceContext } from '../../../../src/app/services/ServiceContext.js';
import type { AppConfig } from '../../../../src/config/configSchema.js';
import { NULL_AUDIT } from '../../../../src/monitor/AuditSink.js';
import type { Notification } from '../../../../src/notify/Notification.js';
import type { NotificationSender } from '../../../../src/notify/NotificationSender.js';

/** Keeps what it is sent, as a Telegram chat would. */
export class RecordingSender implements NotificationSender {
  readonly name = 'recording';
  readonly secrets: readonly string[] = [];
  readonly sent: Notification[] = [];
  send(n: Notification): Promise<void> {
    this.sent.push(n);
    return Promise.resolve();
  }
}

export interface LiquidationWatch {
  /** The metrics exposition as Prometheus scrapes it. */
  scrape(): Promise<string>;
  readonly sender: RecordingSender;
  stop(): Promise<void>;
}

/** Metrics (any free port) and notifications (a recording channel) on the live engine `rt`. */
export async function watchLiquidations(rt: TradingRuntime, config: AppConfig): Promise<LiquidationWatch> {
  const ctx: ServiceContext = {
    mode: 'live',
    config: { ...config, metrics: { ...config.metrics, enabled: true, port: 0 } },
    log: pino({ level: 'silent' }),
    audit: NULL_AUDIT,
    logTail: undefined,
    status: rt,
    engine: rt,
    now: () => Date.now(),
  };
  const metrics = await startMetricsService(ctx);
  if (metrics === undefined) throw new Error('metrics service did not start');
  const sender = new RecordingSender();
  const notify = startNotifyService(ctx, { senders: [sender], pollMs: 10 });
  if (notify === undefined) throw new Error('notify service did not start');
  return {
    scrape: async () => (await fetch(`http://127.0.0.1:${metrics.port}/metrics`)).text(),
    sender,
    stop: async () => {
      await notify.stop();
      await metrics.stop();
    },
  };
}

/** The value of one series of the exposition, 0 when it is absent. */
export function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/** The sum of every series of `metric` whose labels contain each of `labels`. */
export function total(text: string, metric: string, labels: readonly string[] = []): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${metric}{`) && labels.every((x) => l.includes(x)))
    .reduce((s, l) => s + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}
