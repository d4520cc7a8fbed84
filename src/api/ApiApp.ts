import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppConfig } from '../config/configSchema.js';
import type { AuditSink } from '../monitor/AuditSink.js';
import type { Identity, Role } from './auth/Identity.js';
import type { BacktestJobs } from './backtests/BacktestJobs.js';
import type { EngineApi } from './EngineApi.js';

/** Who may call a route: a role, or anyone (health checks and login only). */
export type RouteAccess = Role | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Weakest role allowed; routes without one need `viewer`. */
    access?: RouteAccess;
  }
  interface FastifyRequest {
    /** Set by the auth hook before any handler that is not public runs. */
    identity: Identity | undefined;
  }
}

/** The fastify instance routes are registered on: zod schemas validate and document them. */
export type ApiApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** What every route module gets. */
export interface RouteDeps {
  readonly engine: EngineApi;
  readonly config: AppConfig;
  readonly audit: AuditSink;
  readonly now: () => number;
  readonly startedAt: number;
  /** Absent where backtests are not offered. */
  readonly backtests: BacktestJobs | undefined;
}

/** The audit actor of a request: `api:<token name>`. */
export function actorOf(identity: Identity | undefined): string {
  return `api:${identity?.name ?? 'anonymous'}`;
}
