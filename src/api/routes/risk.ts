import { z } from 'zod';
import type { ApiApp, RouteDeps } from '../ApiApp.js';
import { actorOf } from '../ApiApp.js';
import { CommandResultView, RiskView } from '../views.js';
import { ERRORS, optionalBody, reasonText } from './common.js';

/**
 * Risk limits and trading state, the kill switch and resume. Any trader may pull the kill
 * switch (stopping is always safe); only an admin may resume trading.
 */
export function riskRoutes(app: ApiApp, deps: RouteDeps): void {
  const { engine, audit } = deps;
  app.get(
    '/api/v1/risk',
    {
      schema: {
        tags: ['risk'],
        summary: 'Trading state, its reason, kill switch, limits',
        response: { 200: RiskView, ...ERRORS },
      },
    },
    () => engine.risk(),
  );
  app.post(
    '/api/v1/risk/kill',
    {
      config: { access: 'trader' },
      schema: {
        tags: ['risk'],
        summary: 'Kill switch: cancel every open order, optionally flatten, then HALTED (persisted)',
        body: optionalBody(
          z.strictObject({
            flatten: z.boolean().default(false),
            reason: reasonText.default('kill switch (API)'),
          }),
        ),
        response: { 200: CommandResultView, ...ERRORS },
      },
    },
    (req) => {
      const actor = actorOf(req.identity);
      const r = engine.kill(req.body.flatten, req.body.reason, actor);
      audit.record(
        'api.kill',
        { flatten: req.body.flatten, reason: req.body.reason, result: r.message },
        actor,
      );
      return r;
    },
  );
  app.post(
    '/api/v1/risk/resume',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['risk'],
        summary: 'Lift a halt: trading state ACTIVE (persisted)',
        body: optionalBody(z.strictObject({ reason: reasonText.default('resume (API)') })),
        response: { 200: CommandResultView, ...ERRORS },
      },
    },
    (req) => {
      const actor = actorOf(req.identity);
      const r = engine.resume(req.body.reason, actor);
      audit.record('api.resume', { reason: req.body.reason, result: r.message }, actor);
      return r;
    },
  );
}
