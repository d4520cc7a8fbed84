import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify from 'fastify';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { AppConfig } from '../config/configSchema.js';
import { isQtsError } from '../core/QtsError.js';
import type { AuditSink } from '../monitor/AuditSink.js';
import { secretRegistry } from '../monitor/SecretRegistry.js';
import type { RouteDeps } from './ApiApp.js';
import { authFailureLimiterFor, authenticatorFor, sessionTokensFor } from './auth/authenticatorFor.js';
import { checkApiExposure } from './auth/checkApiExposure.js';
import { createAuthenticator } from './auth/createAuthenticator.js';
import { roleAllows } from './auth/Identity.js';
import { TrustedProxies } from './auth/TrustedProxies.js';
import type { BacktestJobs } from './backtests/BacktestJobs.js';
import type { EngineApi } from './EngineApi.js';
import { statusForCode } from './errorStatus.js';
import { parseJsonBody } from './parseJsonBody.js';
import { registerRoutes } from './routes/registerRoutes.js';
import type { WebAppOptions } from '../monitor/dashboard/registerWebApp.js';
import { registerWebApp } from '../monitor/dashboard/registerWebApp.js';

export interface ApiServerOptions {
  readonly engine: EngineApi;
  readonly config: AppConfig;
  readonly audit: AuditSink;
  /** Process start, for liveness uptime. */
  readonly startedAt: number;
  readonly now: () => number;
  readonly backtests?: BacktestJobs | undefined;
  /** Called before any route is added, so its hooks see every request (HTTP metrics). */
  readonly instrument?: ((app: FastifyInstance) => void) | undefined;
  /** The web dashboard (built app at /, push proxied at /ws); absent: API only. */
  readonly web?: WebAppOptions | undefined;
}

const LOCAL = { name: 'local', role: 'admin' } as const;

function bearerOf(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

function tooMany(reply: FastifyReply, retryMs: number): FastifyReply {
  return reply
    .code(429)
    .header('retry-after', String(Math.ceil(retryMs / 1000)))
    .send({ error: 'ERR_RATE_LIMITED', message: 'too many failed authentication attempts; try again later' });
}

/** "path: message; …" of zod issues, naming the field a caller got wrong. */
function issuesText(validation: readonly { instancePath?: string; message?: string }[], ctx: string): string {
  return validation
    .map((v) => {
      const path = (v.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
      return `${path || ctx}: ${v.message ?? 'invalid'}`;
    })
    .join('; ');
}

/**
 * The engine's HTTP surface on the mode's port: every route under /api/v1 validated by
 * its zod schema (bad input is a 400 naming the field, never a 500), documented at /docs,
 * authenticated by bearer token or session JWT with a role per route, CORS closed unless
 * origins are configured, security headers, and rate limits (429) on every client and on
 * repeated failed authentication. Refuses to be built for a non-loopback address without
 * a token (ERR_API_AUTH_REQUIRED).
 */
export async function createApiServer(opts: ApiServerOptions): Promise<FastifyInstance> {
  const { config, now } = opts;
  checkApiExposure(config);
  const authenticator = authenticatorFor(config, now);
  const sessions = sessionTokensFor(config, now);
  const limits = config.api.rateLimit;
  // The push server of this configuration counts into the same limiter.
  const failures = authFailureLimiterFor(config, now);
  // req.ip is the client behind our proxies (the dashboard, an nginx), never what a client
  // writes in X-Forwarded-For itself: it keys the failure limit, the rate limit and the audit.
  const proxies = new TrustedProxies(config.api.trustedProxies);

  const app = Fastify({
    logger: false,
    trustProxy: (address: string) => proxies.trusts(address),
    bodyLimit: 256 * 1024,
    // The router's own refusals (an id over 100 characters, broken %-encoding) answer in our
    // error shape too, without echoing the whole URL back.
    frameworkErrors: (err, _req, reply) => {
      void (reply as FastifyReply).code(err.statusCode ?? 400).send({
        error: 'ERR_BAD_REQUEST',
        message:
          err.code === 'FST_ERR_MAX_PARAM_LENGTH'
            ? 'a path segment is longer than 100 characters'
            : 'the URL is not validly encoded',
      });
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('identity', undefined);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parseJsonBody);
  opts.instrument?.(app);

  await app.register(helmet, {
    // The docs page runs swagger-ui's own scripts and styles from this server only.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", 'https:', "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'validator.swagger.io'],
      },
    },
  });
  // @fastify/cors allows only GET, HEAD and POST by default: a dashboard on a configured
  // origin could not amend an order (PATCH) or set strategy parameters (PUT). Retry-After
  // is exposed so such a page can wait out a 429 as the docs say.
  await app.register(cors, {
    origin: config.api.corsOrigins.length > 0 ? config.api.corsOrigins : false,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH'],
    exposedHeaders: ['retry-after'],
  });
  await app.register(rateLimit, {
    max: limits.max,
    timeWindow: limits.windowMs,
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429,
      error: 'ERR_RATE_LIMITED',
      message: `rate limit: ${ctx.max} requests per ${ctx.after}`,
    }),
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'quant-trading-system API',
        description:
          'REST API of the trading engine. Send `Authorization: Bearer <token>` (a configured API token or a session token from POST /api/v1/auth/login). Exact amounts are decimal strings.',
        version: '1',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  // The dashboard's files are public (its data is not): served before authentication.
  if (opts.web !== undefined) registerWebApp(app, opts.web, proxies);

  // Authentication and the role of each route, before any handler or body parsing.
  app.addHook('onRequest', async (req, reply) => {
    const access = req.routeOptions.config?.access ?? 'viewer';
    const isDocs = req.url === '/docs' || req.url.startsWith('/docs/');
    if (access === 'public' || (isDocs && config.api.publicDocs)) return;
    if (!authenticator.configured) {
      req.identity = LOCAL;
      return;
    }
    const blocked = failures.blockedFor(req.ip);
    if (blocked > 0) return tooMany(reply, blocked);
    const bearer = bearerOf(req);
    const identity = await authenticator.authenticate(bearer);
    // Requests sent at once all pass the check above before any failure is counted: checked
    // again, only the first answers up to the limit tell a right token from a wrong one.
    const blockedNow = failures.blockedFor(req.ip);
    if (blockedNow > 0) return tooMany(reply, blockedNow);
    if (identity === undefined) {
      if (bearer !== undefined) failures.fail(req.ip);
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: 'ERR_UNAUTHORIZED', message: 'a valid bearer token is required' });
    }
    if (!roleAllows(identity.role, access))
      return reply
        .code(403)
        .send({ error: 'ERR_FORBIDDEN', message: `${identity.role} may not do this (needs ${access})` });
    req.identity = identity;
  });

  // Nothing that leaves the process may carry a secret, not even one a client put in a URL.
  app.addHook('onSend', (_req, _reply, payload: unknown, done) => {
    done(null, typeof payload === 'string' ? secretRegistry.scrub(payload) : payload);
  });
  app.setNotFoundHandler((req, reply) =>
    reply
      .code(404)
      .send({ error: 'ERR_NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` }),
  );
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      return reply.code(400).send({
        error: 'ERR_BAD_REQUEST',
        message: issuesText(err.validation, err.validationContext ?? 'request'),
      });
    }
    if (isQtsError(err))
      return reply.code(statusForCode(err.code)).send({ error: err.code, message: err.message });
    const status =
      err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) req.log.error({ err }, 'API error');
    const code = status === 429 ? 'ERR_RATE_LIMITED' : status === 500 ? 'ERR_INTERNAL' : 'ERR_BAD_REQUEST';
    // `curl -d` posts a form: say what to send instead of fastify's bare "Unsupported Media Type".
    const message =
      status === 500
        ? 'internal error'
        : status === 415
          ? 'a body must be JSON: send content-type: application/json'
          : err.message;
    return reply.code(status).send({ error: code, message });
  });

  const deps: RouteDeps = {
    engine: opts.engine,
    config,
    audit: opts.audit,
    now,
    startedAt: opts.startedAt,
    backtests: opts.backtests,
  };
  registerRoutes(app, deps, { sessions, tokens: createAuthenticator(config.api.tokens), failures });
  if (opts.backtests !== undefined) {
    const jobs = opts.backtests;
    app.addHook('onClose', () => jobs.close());
  }
  await app.ready();
  return app;
}
