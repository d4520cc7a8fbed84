import { z } from 'zod';
import { QtsError } from '../../core/QtsError.js';
import { OrderStatus } from '../../model/enums.js';
import type { ApiApp, RouteDeps } from '../ApiApp.js';
import { actorOf } from '../ApiApp.js';
import { CommandResultView, OrderView, page } from '../views.js';
import {
  ERRORS,
  boolQuery,
  decimalText,
  idParam,
  limitQuery,
  msQuery,
  offsetQuery,
  symbolText,
  queryOf,
} from './common.js';

const STATUSES = Object.values(OrderStatus);

const OrdersQuery = queryOf({
  strategyId: z.string().min(1).max(80).optional(),
  symbol: symbolText.optional(),
  status: z
    .string()
    .max(200)
    .transform((v, ctx) => {
      const list = v.split(',').filter(Boolean);
      // `?status=` would match no order at all: an empty answer that reads as "none of those".
      if (list.length === 0)
        ctx.addIssue({ code: 'custom', message: `name at least one status: ${STATUSES.join(', ')}` });
      const bad = list.filter((s) => !STATUSES.includes(s as OrderStatus));
      if (bad.length > 0)
        ctx.addIssue({
          code: 'custom',
          message: `unknown status ${bad.join(', ')}; one of ${STATUSES.join(', ')}`,
        });
      return list;
    })
    .optional()
    .meta({ description: 'comma-separated, e.g. FILLED,CANCELED' }),
  open: boolQuery,
  from: msQuery,
  to: msQuery,
  limit: limitQuery(1_000, 100),
  offset: offsetQuery,
});

const AmendBody = z
  .strictObject({ price: decimalText.optional(), quantity: decimalText.optional() })
  .refine((b) => b.price !== undefined || b.quantity !== undefined, {
    message: 'give a price and/or a quantity',
  });

/** Orders: history with filters (newest first), one order, and cancel or amend through the OMS. */
export function orderRoutes(app: ApiApp, deps: RouteDeps): void {
  const { engine, audit } = deps;
  app.get(
    '/api/v1/orders',
    {
      schema: {
        tags: ['orders'],
        summary: 'Orders, newest first',
        querystring: OrdersQuery,
        response: { 200: page(OrderView), ...ERRORS },
      },
    },
    (req) => ({ items: engine.orders(req.query) }),
  );
  app.get(
    '/api/v1/orders/:id',
    { schema: { tags: ['orders'], params: idParam, response: { 200: OrderView, ...ERRORS } } },
    (req) => {
      const o = engine.order(req.params.id);
      if (o === undefined) throw new QtsError('ERR_ORDER_NOT_FOUND', `no order ${req.params.id}`);
      return o;
    },
  );
  app.post(
    '/api/v1/orders/:id/cancel',
    {
      config: { access: 'trader' },
      schema: {
        tags: ['orders'],
        summary: 'Cancel an open order (through the OMS)',
        params: idParam,
        response: { 200: CommandResultView, ...ERRORS },
      },
    },
    (req) => {
      const actor = actorOf(req.identity);
      try {
        const r = engine.cancelOrder(req.params.id, actor);
        audit.record(
          'api.order.cancel',
          { orderId: req.params.id, ok: r.ok, status: r.order?.status },
          actor,
        );
        return r;
      } catch (e) {
        audit.record(
          'api.order.cancel',
          { orderId: req.params.id, ok: false, error: (e as Error).message },
          actor,
        );
        throw e;
      }
    },
  );
  app.patch(
    '/api/v1/orders/:id',
    {
      config: { access: 'trader' },
      schema: {
        tags: ['orders'],
        summary:
          'Amend a resting order: new limit price and/or lower total quantity (through risk and the OMS)',
        params: idParam,
        body: AmendBody,
        response: { 200: CommandResultView, ...ERRORS },
      },
    },
    (req) => {
      const actor = actorOf(req.identity);
      const asked = { orderId: req.params.id, price: req.body.price, quantity: req.body.quantity };
      try {
        const r = engine.amendOrder(req.params.id, req.body, actor);
        audit.record('api.order.amend', { ...asked, ok: r.ok, message: r.message }, actor);
        return r;
      } catch (e) {
        audit.record('api.order.amend', { ...asked, ok: false, error: (e as Error).message }, actor);
        throw e;
      }
    },
  );
}
