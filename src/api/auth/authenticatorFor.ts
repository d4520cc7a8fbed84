import type { AppConfig } from '../../config/configSchema.js';
import { AuthFailureLimiter } from './AuthFailureLimiter.js';
import type { Authenticator, Identity } from './Identity.js';
import { roleAllows } from './Identity.js';
import { createAuthenticator } from './createAuthenticator.js';
import { SessionTokens, looksLikeJwt } from './SessionTokens.js';

/** The session issuer of the configuration, or undefined when no JWT secret is set (no login). */
export function sessionTokensFor(config: AppConfig, now: () => number): SessionTokens | undefined {
  const jwt = config.api.jwt;
  return jwt.secret === undefined ? undefined : new SessionTokens(jwt.secret, jwt.ttlSeconds, now);
}

const limiters = new WeakMap<AppConfig, AuthFailureLimiter>();

/**
 * The failed-authentication limiter of a configuration (`api.rateLimit.authFailures` per
 * `authWindowMs`), one per configuration object: the REST API and the WebSocket push of an
 * engine count into the same one, so a guess refused on either port counts on both and a
 * blocked address is refused on both. The first caller's clock times the windows.
 */
export function authFailureLimiterFor(config: AppConfig, now: () => number): AuthFailureLimiter {
  let limiter = limiters.get(config);
  if (limiter === undefined) {
    const { authFailures, authWindowMs } = config.api.rateLimit;
    limiter = new AuthFailureLimiter(authFailures, authWindowMs, now);
    limiters.set(config, limiter);
  }
  return limiter;
}

/**
 * The one way every surface (REST, WebSocket push) builds its authenticator from the
 * configuration, so a credential valid on one is valid on the other: a static token from
 * `api.tokens`, or a session JWT issued by the login route when `api.jwt.secret` is set.
 * It carries the configuration's failure limiter, which every surface must consult.
 */
export function authenticatorFor(config: AppConfig, now: () => number): Authenticator {
  const tokens = createAuthenticator(config.api.tokens);
  const sessions = sessionTokensFor(config, now);
  return {
    configured: tokens.configured,
    failures: authFailureLimiterFor(config, now),
    async authenticate(bearer: string | undefined): Promise<Identity | undefined> {
      const byToken = await tokens.authenticate(bearer);
      if (byToken !== undefined || bearer === undefined || sessions === undefined) return byToken;
      const session = looksLikeJwt(bearer) ? await sessions.verify(bearer) : undefined;
      return session === undefined ? undefined : stillGranted(config, session);
    },
    async expiresInMs(bearer: string): Promise<number | undefined> {
      if ((await tokens.authenticate(bearer)) !== undefined) return undefined;
      const at =
        sessions !== undefined && looksLikeJwt(bearer) ? await sessions.expiresAt(bearer) : undefined;
      return at === undefined ? 0 : Math.max(0, at - now());
    },
  };
}

/**
 * A session is only as good as the name it was logged in with, as the engine is configured
 * now: removing that name's tokens from API_TOKENS (and restarting) ends its sessions at
 * once, not when they expire — a token of someone who left stops working with the restart —
 * and lowering its role lowers theirs. A session never gains a role it was not issued with:
 * a raised role takes a new login.
 */
function stillGranted(config: AppConfig, session: Identity): Identity | undefined {
  const roles = config.api.tokens.filter((t) => t.name === session.name).map((t) => t.role);
  if (roles.length === 0) return undefined;
  const configured = roles.reduce((a, b) => (roleAllows(a, b) ? a : b));
  return roleAllows(configured, session.role) ? session : { name: session.name, role: configured };
}
