import { z } from 'zod';
import { BUILT_IN_STRATEGIES } from '../../strategies/registry.js';
import type { ApiApp, RouteDeps } from '../ApiApp.js';
import { actorOf } from '../ApiApp.js';
import { StrategyView, page } from '../views.js';
import { ERRORS, idParam, optionalBody, noQuery } from './common.js';
import { QtsError } from '../../core/QtsError.js';

const Catalog = z.object({
  items: z.array(
    z.object({ id: z.string(), description: z.string(), paramsSchema: z.record(z.string(), z.unknown()) }),
  ),
});

function catalog(): z.infer<typeof Catalog> {
  return {
    items: BUILT_IN_STRATEGIES.map((s) => {
      let paramsSchema: Record<string, unknown> = {};
      try {
        paramsSchema = z.toJSONSchema(s.paramsSchema, { io: 'input', unrepresentable: 'any' });
      } catch {
        // A schema zod cannot express in JSON schema is still usable; the form is just free.
      }
      return { id: s.id, description: s.description, paramsSchema };
    }),
  };
}

/**
 * Strategy instances of the engine: list, parameters (with their JSON schema for a form),
 * start, stop and new parameters — validated by the strategy's own zod schema, so a bad
 * value is a 400 naming the parameter. Commands need a trader and are audit-logged.
 */
export function strategyRoutes(app: ApiApp, deps: RouteDeps): void {
  const { engine, audit } = deps;
  const byId = (id: string): StrategyView => {
    const s = engine.strategies().find((x) => x.id === id);
    if (s === undefined) throw new QtsError('ERR_STRATEGY_NOT_FOUND', `no strategy instance "${id}"`);
    return s;
  };
  app.get(
    '/api/v1/strategies',
    {
      schema: {
        tags: ['strategies'],
        summary: 'Strategy instances of this engine',
        querystring: noQuery,
        response: { 200: page(StrategyView), ...ERRORS },
      },
    },
    () => ({ items: engine.strategies() }),
  );
  app.get(
    '/api/v1/strategies/catalog',
    {
      schema: {
        tags: ['strategies'],
        summary: 'Built-in strategies and their parameter schemas',
        querystring: noQuery,
        response: { 200: Catalog, ...ERRORS },
      },
    },
    () => catalog(),
  );
  app.get(
    '/api/v1/strategies/:id',
    { schema: { tags: ['strategies'], params: idParam, response: { 200: StrategyView, ...ERRORS } } },
    (req) => byId(req.params.id),
  );
  app.post(
    '/api/v1/strategies/:id/start',
    {
      config: { access: 'trader' },
      schema: {
        tags: ['strategies'],
        summary: 'Start a stopped strategy (fresh instance)',
        params: idParam,
        response: { 200: StrategyView, ...ERRORS },
      },
    },
    (req) => {
      const actor = actorOf(req.identity);
      const s = engine.startStrategy(req.params.id, actor);
      audit.record('api.strategy.start', { strategyId: req.params.id }, actor);
      return s;
    },
  );
  app.post(
    '/api/v1/strategies/:id/stop',
    {
      config: { access: 'trader' },
      schema: {
        tags: ['strategies'],
        summary: 'Stop a strategy; its orders and positions stay unless cancelOrders',
        params: idParam,
        body: optionalBody(z.strictObject({ cancelOrders: z.boolean().default(false) })),
        response: { 200: StrategyView, ...ERRORS },
      },
    },
    (req) => {
      const actor = actorOf(req.identity);
      const s = engine.stopStrategy(req.params.id, req.body.cancelOrders, actor);
      audit.record(
        'api.strategy.stop',
        { strategyId: req.params.id, cancelOrders: req.body.cancelOrders },
        actor,
      );
      return s;
    },
  );
  app.put(
    '/api/v1/strategies/:id/params',
    {
      config: { access: 'trader' },
      schema: {
        tags: ['strategies'],
        summary: "Replace a strategy's parameters (validated by its schema; the instance restarts)",
        params: idParam,
        body: z.strictObject({ params: z.record(z.string(), z.unknown()) }),
        response: { 200: StrategyView, ...ERRORS },
      },
    },
    (req) => {
      const actor = actorOf(req.identity);
      const before = engine.strategies().find((x) => x.id === req.params.id)?.params;
      const s = engine.updateStrategyParams(req.params.id, req.body.params, actor);
      audit.record('api.strategy.params', { strategyId: req.params.id, before, after: s.params }, actor);
      return s;
    },
  );
}
