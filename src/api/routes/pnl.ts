import type { ApiApp, RouteDeps } from '../ApiApp.js';
import { EquityCurveView, PnlView } from '../views.js';
import { ERRORS, msQuery, wholeQuery, queryOf } from './common.js';

/** Realized and unrealized PnL (by strategy and by UTC day), and the equity curve. */
export function pnlRoutes(app: ApiApp, deps: RouteDeps): void {
  app.get(
    '/api/v1/pnl',
    {
      schema: {
        tags: ['portfolio'],
        summary:
          'PnL: realized (fills credited in [from, to)), unrealized at last prices, by strategy and day',
        querystring: queryOf({ from: msQuery, to: msQuery }),
        response: { 200: PnlView, ...ERRORS },
      },
    },
    (req) => deps.engine.pnl(req.query),
  );
  app.get(
    '/api/v1/pnl/equity',
    {
      schema: {
        tags: ['portfolio'],
        summary: 'Equity curve of this run (numbers, for charts)',
        querystring: queryOf({
          from: msQuery,
          to: msQuery,
          points: wholeQuery(2, 5_000).default(500),
        }),
        response: { 200: EquityCurveView, ...ERRORS },
      },
    },
    (req) => deps.engine.equityCurve(req.query),
  );
}
