import { z } from 'zod';
import { QtsError } from '../../core/QtsError.js';
import type { ApiApp, RouteDeps } from '../ApiApp.js';
import { actorOf } from '../ApiApp.js';
import type { AuthFailureLimiter } from '../auth/AuthFailureLimiter.js';
import type { Authenticator } from '../auth/Identity.js';
import { ROLES } from '../auth/Identity.js';
import type { SessionTokens } from '../auth/SessionTokens.js';
import { ERRORS } from './common.js';

const LoginBody = z
  .strictObject({
    name: z.string().min(1).max(40),
    token: z.string().min(1).max(512),
  })
  .meta({ id: 'LoginRequest' });

const Session = z
  .object({
    token: z.string(),
    tokenType: z.literal('Bearer'),
    expiresAt: z.number(),
    name: z.string(),
    role: z.enum(ROLES),
  })
  .meta({ id: 'Session' });

/**
 * Login exchanges a configured API token (name + token) for a short-lived session JWT, so
 * a browser keeps only a token that expires. Failures are audit-logged and count toward the
 * per-address limit (429 once exceeded, even for a right token).
 */
export function authRoutes(
  app: ApiApp,
  deps: RouteDeps,
  /** `tokens` checks configured API tokens only: a session token cannot log in again. */
  auth: { sessions: SessionTokens | undefined; tokens: Authenticator; failures: AuthFailureLimiter },
): void {
  app.post(
    '/api/v1/auth/login',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Exchange an API token for a short-lived session token (JWT, HS256)',
        security: [],
        body: LoginBody,
        response: { 200: Session, ...ERRORS },
      },
    },
    async (req, reply) => {
      if (auth.sessions === undefined)
        throw new QtsError(
          'ERR_LOGIN_DISABLED',
          'login is off: set JWT_SECRET (api.jwt.secret) to enable it',
        );
      const limited = (blocked: number) => {
        deps.audit.record(
          'auth.login_failed',
          { name: req.body.name, ip: req.ip, reason: 'rate limited' },
          actorOf(undefined),
        );
        return reply
          .code(429)
          .header('retry-after', String(Math.ceil(blocked / 1000)))
          .send({ error: 'ERR_RATE_LIMITED', message: 'too many failed logins; try again later' });
      };
      const blocked = auth.failures.blockedFor(req.ip);
      if (blocked > 0) return limited(blocked);
      const identity = await auth.tokens.authenticate(req.body.token);
      // Logins sent at once all pass the check above before any failure is counted: checked
      // again, only the first answers up to the limit tell a right token from a wrong one.
      const blockedNow = auth.failures.blockedFor(req.ip);
      if (blockedNow > 0) return limited(blockedNow);
      if (identity === undefined || identity.name !== req.body.name) {
        auth.failures.fail(req.ip);
        deps.audit.record('auth.login_failed', { name: req.body.name, ip: req.ip }, actorOf(undefined));
        return reply.code(401).send({ error: 'ERR_UNAUTHORIZED', message: 'unknown name or token' });
      }
      const session = await auth.sessions.issue(identity);
      deps.audit.record('auth.login', { ip: req.ip, expiresAt: session.expiresAt }, actorOf(identity));
      return {
        token: session.token,
        tokenType: 'Bearer' as const,
        expiresAt: session.expiresAt,
        name: identity.name,
        role: identity.role,
      };
    },
  );
  app.get(
    '/api/v1/auth/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'Who the credential belongs to',
        response: { 200: z.object({ name: z.string(), role: z.enum(ROLES) }), ...ERRORS },
      },
    },
    (req) => ({ name: req.identity?.name ?? 'anonymous', role: req.identity?.role ?? 'viewer' }),
  );
}
