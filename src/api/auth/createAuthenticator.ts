import { createHash, timingSafeEqual } from 'node:crypto';
import type { Authenticator, Identity, Role } from './Identity.js';

export interface TokenConfig {
  readonly name: string;
  readonly token: string;
  readonly role: Role;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * Static bearer tokens from the configuration. Tokens are compared as SHA-256 digests
 * with timingSafeEqual, so neither length nor content leaks through timing.
 */
export function createAuthenticator(tokens: readonly TokenConfig[]): Authenticator {
  const known = tokens.map((t) => ({ digest: digest(t.token), identity: { name: t.name, role: t.role } }));
  return {
    configured: known.length > 0,
    authenticate(bearer: string | undefined): Promise<Identity | undefined> {
      if (bearer === undefined || bearer.length === 0) return Promise.resolve(undefined);
      const d = digest(bearer);
      let found: Identity | undefined;
      // Every token is compared, so the time taken does not tell which one matched.
      for (const k of known) if (timingSafeEqual(k.digest, d)) found = k.identity;
      return Promise.resolve(found);
    },
  };
}
