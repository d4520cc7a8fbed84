import { auditService } from './auditService.js';
import { metricsService } from './metricsService.js';
import { notifyService } from './notifyService.js';
import { pushService } from './pushService.js';
import type { RunningService, ServiceContext, ServiceFactory } from './ServiceContext.js';

/**
 * Every side service of a running engine, started in this order after the engine and
 * stopped in reverse. Each lives in its own file of this folder.
 */
export const SERVICES: readonly ServiceFactory[] = [auditService, metricsService, notifyService, pushService];

export async function startServices(ctx: ServiceContext): Promise<RunningService[]> {
  const started: RunningService[] = [];
  try {
    for (const factory of SERVICES) {
      const s = await factory(ctx);
      if (s !== undefined) started.push(s);
    }
  } catch (e) {
    await stopServices(started);
    throw e;
  }
  return started;
}

export async function stopServices(services: readonly RunningService[]): Promise<void> {
  for (const s of [...services].reverse()) await s.stop().catch(() => undefined);
}
