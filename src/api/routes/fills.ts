import { z } from 'zod';
import type { ApiApp, RouteDeps } from '../ApiApp.js';
import { FillView, page } from '../views.js';
import { ERRORS, limitQuery, msQuery, offsetQuery, symbolText, queryOf } from './common.js';

const FillsQuery = queryOf({
  orderId: z.string().min(1).max(80).optional(),
  strategyId: z.string().min(1).max(80).optional(),
  symbol: symbolText.optional(),
  from: msQuery,
  to: msQuery,
  limit: limitQuery(1_000, 100),
  offset: offsetQuery,
});

/** Fills (executions), newest first, exact amounts. */
export function fillRoutes(app: ApiApp, deps: RouteDeps): void {
  app.get(
    '/api/v1/fills',
    {
      schema: {
        tags: ['orders'],
        summary: 'Fills, newest first',
        querystring: FillsQuery,
        response: { 200: page(FillView), ...ERRORS },
      },
    },
    (req) => ({ items: deps.engine.fills(req.query) }),
  );
}
