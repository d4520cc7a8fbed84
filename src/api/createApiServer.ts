import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { EngineStatusSource } from './EngineStatus.js';

export interface ApiServerOptions {
  readonly status: EngineStatusSource;
  /** Process start, for liveness uptime. */
  readonly startedAt: number;
  readonly now: () => number;
}

/**
 * The engine's HTTP surface on the mode's port. Liveness says the process answers;
 * readiness says every component is fit to trade (market data fresh, database writable,
 * …) with details, so a load balancer or a blue-green switch can trust it.
 */
export function createApiServer(opts: ApiServerOptions): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/api/v1/health', () => ({ status: 'ok', uptimeMs: opts.now() - opts.startedAt }));
  app.get('/api/v1/health/ready', (_req, reply) => {
    const components = opts.status.components();
    const ready = components.every((c) => c.ready);
    return reply.code(ready ? 200 : 503).send({ ready, components });
  });
  app.get('/api/v1/status', () => opts.status.status());
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: 'ERR_NOT_FOUND', message: `no route ${req.method} ${req.url}` }),
  );
  app.setErrorHandler((err: { statusCode?: number; code?: string; message: string }, _req, reply) => {
    const status =
      err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    return reply.code(status).send({
      error: err.code ?? (status === 500 ? 'ERR_INTERNAL' : 'ERR_BAD_REQUEST'),
      message: status === 500 ? 'internal error' : err.message,
    });
  });
  return app;
}
