import type { FastifyInstance } from 'fastify';
import type { TradingMetrics } from './TradingMetrics.js';

/**
 * Counts and times every response of a fastify app in `metrics` (call before the app
 * listens). Requests are labelled by route pattern, so `/orders/Q17` and `/orders/Q18` are
 * one series; a request that matched no route is labelled `unmatched`, which keeps a
 * scanner probing random URLs from creating a series per URL.
 */
export function instrumentFastify(
  app: FastifyInstance,
  metrics: Pick<TradingMetrics, 'observeHttpRequest'>,
): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeHttpRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });
}
