import { secretRegistry } from '../../monitor/SecretRegistry.js';
import { notifierSecrets } from '../../notify/createSenders.js';
import { auditService } from './auditService.js';
import type { MetricsService } from './metricsService.js';
import { metricsService } from './metricsService.js';
import { notifyService } from './notifyService.js';
import type { PushService } from './pushService.js';
import { pushService } from './pushService.js';
import type { RunningService, ServiceContext, ServiceFactory } from './ServiceContext.js';

/**
 * Every side service of a running engine, started in this order after the engine and
 * stopped in reverse. Each lives in its own file of this folder.
 */
export const SERVICES: readonly ServiceFactory[] = [auditService, metricsService, notifyService, pushService];

export async function startServices(ctx: ServiceContext): Promise<RunningService[]> {
  const started: RunningService[] = [];
  // The audit records the configuration first: the notifier secrets it holds in fields not
  // named like secrets (the webhook URL) must be known to the scrubber before then.
  for (const v of notifierSecrets(ctx.config.notifications)) secretRegistry.register(v);
  try {
    for (const factory of SERVICES) {
      const s = await factory(ctx);
      if (s !== undefined) started.push(s);
    }
  } catch (e) {
    await stopServices(started);
    throw e;
  }
  linkServices(started);
  return started;
}

/** Connections between services: the metrics registry reads the push server's client count. */
function linkServices(started: readonly RunningService[]): void {
  const metrics = started.find((s): s is MetricsService => s.name === 'metrics');
  const push = started.find((s): s is PushService => s.name === 'push');
  if (metrics !== undefined && push !== undefined)
    metrics.metrics.readWsClientsFrom(() => push.stats().clients);
}

export async function stopServices(services: readonly RunningService[]): Promise<void> {
  for (const s of [...services].reverse()) await s.stop().catch(() => undefined);
}
