import { createHash, timingSafeEqual } from 'node:crypto';
import { QtsError } from '../../core/QtsError.js';
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
  refuseSharedTokens(known);
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

/**
 * One token value under two entries (`viewer1:viewer:T,ops:admin:T`) would authenticate as
 * whichever comes last, so a holder of T meant as a viewer would be admin. The engine refuses
 * to start instead, naming the entries — never the token.
 */
function refuseSharedTokens(known: readonly { digest: Buffer; identity: Identity }[]): void {
  const seen = new Map<string, Identity>();
  for (const k of known) {
    const hex = k.digest.toString('hex');
    const first = seen.get(hex);
    if (first !== undefined)
      throw new QtsError(
        'ERR_CONFIG_API_TOKENS',
        `api.tokens (API_TOKENS): "${first.name}" (${first.role}) and "${k.identity.name}" (${k.identity.role}) have the same token; give each entry its own`,
        { names: [first.name, k.identity.name] },
      );
    seen.set(hex, k.identity);
  }
}
