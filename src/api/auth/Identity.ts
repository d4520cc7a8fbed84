import type { AuthFailureLimiter } from './AuthFailureLimiter.js';

/** Roles, weakest first: a viewer reads, a trader also acts on orders and strategies, an admin does everything. */
export const ROLES = ['viewer', 'trader', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who a request or WebSocket connection is, as the audit log names it. */
export interface Identity {
  readonly name: string;
  readonly role: Role;
}

/** True when `have` may do what `need` may. */
export function roleAllows(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** Turns a bearer credential (static token or signed session JWT) into an identity. */
export interface Authenticator {
  /** Undefined when the credential is missing, unknown, expired or forged. */
  authenticate(bearer: string | undefined): Promise<Identity | undefined>;
  /** True when at least one credential is configured (else the API is open on loopback only). */
  readonly configured: boolean;
  /**
   * Failed attempts per client address, shared by every surface that uses this authenticator
   * (`authenticatorFor` sets the configuration's): each surface refuses a blocked address
   * before checking its credential and counts each credential it rejects.
   */
  readonly failures?: AuthFailureLimiter;
  /**
   * How long a credential `authenticate` accepted stays valid, in ms on this authenticator's
   * clock: undefined when it does not expire (a static API token), 0 when it no longer holds.
   * A connection authenticated once (the WebSocket push) is closed when it runs out, so a
   * short-lived session cannot become a permanent reader.
   */
  expiresInMs?(bearer: string): Promise<number | undefined>;
}
