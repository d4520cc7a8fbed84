import { z } from 'zod';
import type { ApiApp, RouteDeps } from '../ApiApp.js';
import { CandlesView, SymbolView, TickerView, page } from '../views.js';
import { ERRORS, limitQuery, msQuery, symbolText, timeframeText, queryOf, noQuery } from './common.js';

/** Market data: symbols known here, candles (live bars or stored history), last price. */
export function marketRoutes(app: ApiApp, deps: RouteDeps): void {
  app.get(
    '/api/v1/market/symbols',
    {
      schema: {
        tags: ['market'],
        summary: 'Symbols with their timeframes and data span',
        querystring: noQuery,
        response: { 200: page(SymbolView), ...ERRORS },
      },
    },
    () => ({ items: deps.engine.symbols() }),
  );
  app.get(
    '/api/v1/market/candles',
    {
      schema: {
        tags: ['market'],
        summary: 'Candles, oldest first: the first `limit` from `from`, else the latest `limit`',
        querystring: queryOf({
          symbol: symbolText,
          timeframe: timeframeText,
          exchange: z
            .string()
            .min(1)
            .max(40)
            .optional()
            .meta({ description: 'stored history of this exchange' }),
          from: msQuery,
          to: msQuery,
          limit: limitQuery(10_000, 1_000),
        }),
        response: { 200: CandlesView, ...ERRORS },
      },
    },
    (req) => deps.engine.candles(req.query),
  );
  app.get(
    '/api/v1/market/ticker',
    {
      schema: {
        tags: ['market'],
        summary: 'Last price of a symbol and whether it is stale',
        querystring: queryOf({ symbol: symbolText }),
        response: { 200: TickerView, ...ERRORS },
      },
    },
    (req) => deps.engine.ticker(req.query.symbol),
  );
}
