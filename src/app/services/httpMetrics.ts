import type { FastifyInstance } from 'fastify';
import { instrumentFastify } from '../../monitor/metrics/instrumentFastify.js';
import type { MetricsService } from './metricsService.js';
import type { RunningService } from './ServiceContext.js';

/**
 * The REST server's request metrics (`trading_http_requests_total`,
 * `trading_http_request_duration_seconds`) for an engine of any mode. The API server gets its
 * hook before it listens, but the metrics service starts after it: the hook finds the running
 * metrics service at each response, and counts nothing while there is none (metrics disabled).
 */
export function instrumentApiFor(services: () => readonly RunningService[]): (app: FastifyInstance) => void {
  return (app) =>
    instrumentFastify(app, {
      observeHttpRequest(method, route, status, seconds) {
        const metrics = services().find((s): s is MetricsService => s.name === 'metrics');
        metrics?.metrics.observeHttpRequest(method, route, status, seconds);
      },
    });
}
