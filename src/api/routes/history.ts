import type { ApiApp, RouteDeps } from '../ApiApp.js';
import { RunView, page } from '../views.js';
import { ERRORS, limitQuery, queryOf } from './common.js';

/** Engine runs recorded in the database (mode, start, stop, how each ended). */
export function historyRoutes(app: ApiApp, deps: RouteDeps): void {
  app.get(
    '/api/v1/history/runs',
    {
      schema: {
        tags: ['history'],
        summary: 'Engine runs, newest first',
        querystring: queryOf({ limit: limitQuery(1_000, 100) }),
        response: { 200: page(RunView), ...ERRORS },
      },
    },
    (req) => ({ items: deps.engine.runs(req.query.limit) }),
  );
}
