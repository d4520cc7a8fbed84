import { z } from 'zod';
import type { ApiApp, RouteDeps } from '../ApiApp.js';
import { ERRORS, limitQuery, msQuery, queryOf } from './common.js';

const AuditEntryView = z
  .object({
    seq: z.number(),
    time: z.number(),
    kind: z.string(),
    actor: z.string(),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'AuditEntry' });

/** The audit trail, newest first (admin only: it names every user and command). */
export function auditRoutes(app: ApiApp, deps: RouteDeps): void {
  app.get(
    '/api/v1/audit',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['audit'],
        summary: 'Audit log query, newest first',
        querystring: queryOf({
          from: msQuery,
          to: msQuery,
          kind: z.string().min(1).max(80).optional(),
          actor: z.string().min(1).max(80).optional(),
          text: z.string().min(1).max(200).optional(),
          limit: limitQuery(1_000, 100),
        }),
        response: { 200: z.object({ items: z.array(AuditEntryView) }), ...ERRORS },
      },
    },
    async (req) => {
      const q = Object.fromEntries(Object.entries(req.query).filter(([, v]) => v !== undefined));
      return { items: await deps.audit.query(q) };
    },
  );
}
