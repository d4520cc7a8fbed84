import { z } from 'zod';
import type { ApiApp, RouteDeps } from '../ApiApp.js';
import { ERRORS } from './common.js';
import { StrategyStatusFields } from '../views.js';

const Component = z.object({ name: z.string(), ready: z.boolean(), detail: z.string() }).loose();

const WarmUpSource = z
  .enum(['exchange', 'stored', 'none'])
  .describe('where the history came from; none: no history, the strategies started cold');

/** The start's strategy warm-up (docs/configuration.md, "Strategy warm-up"). */
const WarmUpView = z
  .object({
    state: z
      .enum(['off', 'running', 'done'])
      .describe('off: marketData.warmupBars is 0, or the market data has no history (replay, synthetic)'),
    bars: z.number().describe("closed bars of each strategy's timeframe wanted (marketData.warmupBars)"),
    timeoutMs: z.number().describe('bound on the whole fetch (marketData.warmupTimeoutMs)'),
    timedOut: z
      .boolean()
      .describe('the fetch ran past timeoutMs: some history came from stored candles, or is missing'),
    startedAt: z.number().nullable(),
    finishedAt: z.number().nullable(),
    symbols: z
      .array(z.object({ symbol: z.string(), source: WarmUpSource, baseBars: z.number() }))
      .readonly()
      .describe('per symbol: base-timeframe bars delivered, and from where'),
    detail: z.string(),
  })
  .meta({ id: 'WarmUp' });

/** What one strategy instance was warmed up with. */
const StrategyWarmUpView = z
  .object({
    bars: z
      .number()
      .describe("closed bars of the strategy's timeframe it saw before live data (fewest over its symbols)"),
    symbols: z.array(z.object({ symbol: z.string(), source: WarmUpSource, bars: z.number() })).readonly(),
  })
  .meta({ id: 'StrategyWarmUp' });

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
    warmUp: WarmUpView,
    strategies: z
      .array(
        z.object({
          id: z.string(),
          strategy: z.string(),
          symbols: z.array(z.string()).readonly(),
          timeframe: z.string(),
          running: z.boolean(),
          ...StrategyStatusFields,
          warmUp: StrategyWarmUpView.nullable().describe(
            'what this instance was warmed up with; null: none (warm-up off or still running, or the strategy was started since, cold)',
          ),
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
