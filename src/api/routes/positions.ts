import { z } from 'zod';
import type { ApiApp, RouteDeps } from '../ApiApp.js';
import { actorOf } from '../ApiApp.js';
import { BalanceView, CommandResultView, PositionView, page } from '../views.js';
import { ERRORS, decimalText, symbolText, noQuery } from './common.js';

// Strict: a misspelt `qty` must not fall back to closing the whole position.
const CloseBody = z
  .strictObject({
    symbol: symbolText,
    quantity: decimalText.optional().meta({ description: 'part to close; the whole position when omitted' }),
  })
  .meta({ id: 'ClosePositionRequest' });

/**
 * Positions and balances, and closing a position: a reduce-only market order through the
 * risk engine and OMS. A risk denial answers 422 with the denied order (ok: false).
 */
export function positionRoutes(app: ApiApp, deps: RouteDeps): void {
  const { engine, audit } = deps;
  app.get(
    '/api/v1/positions',
    {
      schema: {
        tags: ['portfolio'],
        summary: 'Open positions with unrealized PnL at the last price',
        querystring: noQuery,
        response: { 200: page(PositionView), ...ERRORS },
      },
    },
    () => ({ items: engine.positions() }),
  );
  app.get(
    '/api/v1/balances',
    {
      schema: {
        tags: ['portfolio'],
        summary: 'Cash balances per currency',
        querystring: noQuery,
        response: { 200: page(BalanceView), ...ERRORS },
      },
    },
    () => ({ items: engine.balances() }),
  );
  app.post(
    '/api/v1/positions/close',
    {
      config: { access: 'trader' },
      schema: {
        tags: ['portfolio'],
        summary: 'Close (part of) a position with a reduce-only market order',
        body: CloseBody,
        response: { 202: CommandResultView, 422: CommandResultView.extend({ error: z.string() }), ...ERRORS },
      },
    },
    (req, reply) => {
      const actor = actorOf(req.identity);
      const { symbol, quantity } = req.body;
      try {
        const r = engine.closePosition(symbol, quantity, actor);
        audit.record(
          'api.position.close',
          { symbol, quantity: quantity ?? 'all', ok: r.ok, orderId: r.order?.id, message: r.message },
          actor,
        );
        if (!r.ok) {
          reply.code(422);
          return { ...r, error: r.order?.reasonCode ?? 'ERR_RISK_DENIED' };
        }
        reply.code(202);
        return r;
      } catch (e) {
        audit.record(
          'api.position.close',
          { symbol, quantity: quantity ?? 'all', ok: false, error: (e as Error).message },
          actor,
        );
        throw e;
      }
    },
  );
}
