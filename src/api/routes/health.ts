import { z } from 'zod';
import type { ApiApp, RouteDeps } from '../ApiApp.js';
import { ERRORS } from './common.js';

const Component = z.object({ name: z.string(), ready: z.boolean(), detail: z.string() }).loose();

export const StatusView = z
  .object({
    mode: z.enum(['shadow', 'live', 'api']),
    marketData: z.object({ source: z.string(), detail: z.string() }),
    startedAt: z.number(),
    now: z.number(),
    tradingState: z.string(),
    tradingStateReason: z.string(),
    currency: z.string(),
    equity: z.number(),
    cash: z.string(),
    positions: z
      .array(
        z.object({
          symbol: z.string(),
          qty: z.string(),
          avgPrice: z.number().nullable(),
          lastPrice: z.number().nullable(),
        }),
      )
      .readonly(),
    openOrders: z.number(),
    strategies: z
      .array(
        z.object({
          id: z.string(),
          strategy: z.string(),
          symbols: z.array(z.string()).readonly(),
          timeframe: z.string(),
          running: z.boolean(),
        }),
      )
      .readonly(),
  })
  .loose()
  .meta({ id: 'Status' });

/**
 * Liveness (the process answers) and readiness (every component fit to trade, with
 * details; 503 when any is not) — the only routes anyone may call. Status needs a viewer.
 */
export function healthRoutes(app: ApiApp, deps: RouteDeps): void {
  app.get(
    '/api/v1/health',
    {
      config: { access: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process is up',
        security: [],
        response: { 200: z.object({ status: z.literal('ok'), uptimeMs: z.number() }) },
      },
    },
    () => ({ status: 'ok' as const, uptimeMs: deps.now() - deps.startedAt }),
  );
  app.get(
    '/api/v1/health/ready',
    {
      config: { access: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Readiness: market data fresh, database writable, trading state, services',
        security: [],
        response: {
          200: z.object({ ready: z.boolean(), components: z.array(Component) }),
          503: z.object({ ready: z.boolean(), components: z.array(Component) }),
        },
      },
    },
    (_req, reply) => {
      const components = deps.engine.components();
      const ready = components.every((c) => c.ready);
      reply.code(ready ? 200 : 503);
      return { ready, components: components.map((c) => ({ ...c })) };
    },
  );
  app.get(
    '/api/v1/status',
    {
      schema: {
        tags: ['status'],
        summary: 'Mode, market data source, equity, positions, strategies, trading state',
        response: { 200: StatusView, ...ERRORS },
      },
    },
    () => ({ ...deps.engine.status() }),
  );
}
