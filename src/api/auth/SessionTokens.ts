import { SignJWT, errors, jwtVerify } from 'jose';
import type { Identity, Role } from './Identity.js';
import { ROLES } from './Identity.js';

const ALG = 'HS256';
const ISSUER = 'qts';
const AUDIENCE = 'qts-api';

/** A session token issued at login. */
export interface IssuedSession {
  readonly token: string;
  /** Epoch ms. */
  readonly expiresAt: number;
}

/**
 * Short-lived login sessions as HS256 JWTs. Verification accepts only HS256 (so `alg: none`
 * and any algorithm swap are refused), checks issuer, audience and expiry against the
 * injected clock, and takes the role from the token only if it is one we know.
 */
export class SessionTokens {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
    private readonly now: () => number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(identity: Identity): Promise<IssuedSession> {
    const iat = Math.floor(this.now() / 1000);
    const exp = iat + this.ttlSeconds;
    const token = await new SignJWT({ role: identity.role })
      .setProtectedHeader({ alg: ALG, typ: 'JWT' })
      .setSubject(identity.name)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, expiresAt: exp * 1000 };
  }

  /** The identity of a valid, unexpired session token; undefined for anything else. */
  async verify(token: string): Promise<Identity | undefined> {
    return (await this.verifySession(token))?.identity;
  }

  /**
   * When a valid, unexpired session token stops being one (epoch ms, from its signed `exp`);
   * undefined for anything else. A connection that outlives its login (the WebSocket push)
   * is closed then.
   */
  async expiresAt(token: string): Promise<number | undefined> {
    return (await this.verifySession(token))?.expiresAt;
  }

  private async verifySession(token: string): Promise<{ identity: Identity; expiresAt: number } | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: [ALG],
        issuer: ISSUER,
        audience: AUDIENCE,
        currentDate: new Date(this.now()),
        requiredClaims: ['exp', 'sub'],
      });
      const role = payload['role'];
      if (typeof payload.sub !== 'string' || !ROLES.includes(role as Role) || payload.exp === undefined)
        return undefined;
      return { identity: { name: payload.sub, role: role as Role }, expiresAt: payload.exp * 1000 };
    } catch (e) {
      if (e instanceof errors.JOSEError) return undefined;
      throw e;
    }
  }
}

/** Three base64url segments: worth trying as a session token. */
export function looksLikeJwt(bearer: string): boolean {
  return /^[\w-]+\.[\w-]*\.[\w-]*$/.test(bearer);
}
