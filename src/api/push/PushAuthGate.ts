import {
  AuthFailureLimiter,
  DEFAULT_AUTH_FAILURES,
  DEFAULT_AUTH_WINDOW_MS,
} from '../auth/AuthFailureLimiter.js';
import type { Authenticator, Identity } from '../auth/Identity.js';
import type { PushClient } from './PushClient.js';
import type { PushCounters } from './PushStats.js';
import type { RequestId } from './pushProtocol.js';
import { PushCloseCode, PushErrorCode } from './pushProtocol.js';
import { sendPushError } from './sendPushError.js';

/** What the gate needs of the push server's options (a subset of `PushServerOptions`). */
export interface PushAuthGateOptions {
  readonly authenticator: Authenticator;
  /** Failed authentications per client address; see `PushServerOptions.authFailures`. */
  readonly authFailures?: AuthFailureLimiter;
  /** Anyone connecting reads as a viewer (only when no token is configured and the host is loopback). */
  readonly allowAnonymous: boolean;
  /** How long a connection may stay without a valid credential. */
  readonly authTimeoutMs?: number;
  /** Told of every authentication attempt (the audit trail). */
  readonly onAuth?: (identity: Identity | undefined, address: string) => void;
}

const ANONYMOUS: Identity = { name: 'anonymous', role: 'viewer' };
/** Messages a client may send before its token is checked (auth then subscriptions, typically). */
const MAX_PENDING = 64;
/** The longest delay a Node timer keeps (a longer one fires at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Who a push connection is: checks its token under the failure limit shared with the REST
 * API, holds what it sends while the check is in flight, and closes it (4401, or 4429 for an
 * address that failed too often) when it cannot prove an identity in time, or when the
 * session token it proved one with expires.
 */
export class PushAuthGate {
  private readonly failures: AuthFailureLimiter;

  /** `handle` is given each message held while the token was checked, once it is accepted. */
  constructor(
    private readonly opts: PushAuthGateOptions,
    private readonly counters: PushCounters,
    private readonly handle: (client: PushClient, text: string) => void,
  ) {
    // Only a window's length is measured, so a monotonic clock will do when none is shared.
    this.failures =
      opts.authFailures ??
      opts.authenticator.failures ??
      new AuthFailureLimiter(DEFAULT_AUTH_FAILURES, DEFAULT_AUTH_WINDOW_MS, () => performance.now());
  }

  /**
   * A new connection, after its hello: a handshake token is checked at once, an anonymous
   * server lets it in as a viewer, else it has `authTimeoutMs` to send `{"op":"auth"}`.
   */
  begin(client: PushClient, credential: string | undefined): void {
    if (credential !== undefined) this.authenticate(client, credential, undefined);
    else if (this.opts.allowAnonymous) this.accept(client, ANONYMOUS, undefined);
    else
      client.authTimer = setTimeout(
        () => this.refuse(client, 'no token received in time: send {"op":"auth","token":…} first', undefined),
        this.opts.authTimeoutMs ?? 10_000,
      );
  }

  /** An `auth` message: a client already in is told who it is, and is not checked again. */
  onAuthMessage(client: PushClient, token: string, id: RequestId): void {
    if (client.identity !== undefined) {
      client.sendJson({
        op: 'authed',
        name: client.identity.name,
        role: client.identity.role,
        id,
      });
      return;
    }
    this.authenticate(client, token, id);
  }

  /**
   * Keeps a message that arrived while the token is being checked, to be handled in order
   * once the client is accepted; false when no check is in flight and it is to be handled
   * now. Bounded, so a client cannot grow the server's memory by flooding before its token
   * is known.
   */
  hold(client: PushClient, text: string): boolean {
    const pending = client.pending;
    if (pending === undefined) return false;
    if (pending.length >= MAX_PENDING) {
      sendPushError(client, PushErrorCode.TooManyPending, 'too many messages before the token was checked');
      client.ws.close(PushCloseCode.PolicyViolation, 'too many pending messages');
      return true;
    }
    pending.push(text);
    return true;
  }

  /**
   * Checks a token under the per-address failure limit shared with the REST API: a blocked
   * address is refused before its token is looked at, and a wrong token counts, so
   * reconnecting to guess again gains nothing over REST.
   */
  private authenticate(client: PushClient, token: string, id: RequestId): void {
    if (client.authTimer !== undefined) clearTimeout(client.authTimer);
    client.authTimer = undefined;
    client.pending = [];
    const blocked = this.failures.blockedFor(client.address);
    if (blocked > 0) return this.refuseBlocked(client, blocked, id);
    this.opts.authenticator.authenticate(token).then(
      (identity) => {
        // Guesses sent at once all pass the check above before any is counted: checked again
        // here, only the first answers up to the limit tell a right token from a wrong one.
        const blockedNow = this.failures.blockedFor(client.address);
        if (blockedNow > 0) return this.refuseBlocked(client, blockedNow, id);
        if (identity === undefined) {
          this.failures.fail(client.address);
          return this.refuse(client, 'invalid, expired or unknown token', id);
        }
        this.opts.onAuth?.(identity, client.address);
        this.accept(client, identity, id);
        this.closeAtExpiry(client, token);
      },
      () => this.refuse(client, 'the token could not be checked', id),
    );
  }

  private accept(client: PushClient, identity: Identity, id: RequestId): void {
    client.identity = identity;
    client.sendJson({ op: 'authed', name: identity.name, role: identity.role, id });
    const pending = client.pending ?? [];
    client.pending = undefined;
    for (const text of pending) {
      if (client.ws.readyState !== client.ws.OPEN) break;
      this.handle(client, text);
    }
  }

  /**
   * A session token is short-lived on purpose: a connection it opened ends when it does,
   * with an error and 4401 like any refusal, so a client (the dashboard) asks for a login
   * again instead of a copied or forgotten session reading the engine forever. Static API
   * tokens do not expire; they end with the restart that any change of api.tokens takes.
   */
  private closeAtExpiry(client: PushClient, token: string): void {
    const expiresInMs = this.opts.authenticator.expiresInMs?.bind(this.opts.authenticator);
    if (expiresInMs === undefined) return;
    expiresInMs(token).then(
      (ms) => {
        if (ms === undefined || client.ws.readyState !== client.ws.OPEN) return;
        // Longer than a timer can wait (api.jwt.ttlSeconds allows a day; a timer ~24.8 days):
        // look again then rather than fire at once.
        client.expiryTimer =
          ms > MAX_TIMER_MS
            ? setTimeout(() => this.closeAtExpiry(client, token), MAX_TIMER_MS)
            : setTimeout(() => this.expire(client), ms);
        client.expiryTimer.unref();
      },
      () => this.expire(client),
    );
  }

  private expire(client: PushClient): void {
    client.expiryTimer = undefined;
    if (client.ws.readyState !== client.ws.OPEN) return;
    sendPushError(
      client,
      PushErrorCode.SessionExpired,
      'the session token expired: log in again for a new one',
    );
    client.ws.close(PushCloseCode.Unauthenticated, 'session expired');
  }

  private refuse(client: PushClient, why: string, id: RequestId): void {
    this.counters.authFailures++;
    this.opts.onAuth?.(undefined, client.address);
    client.pending = undefined;
    sendPushError(client, PushErrorCode.AuthFailed, why, id);
    client.ws.close(PushCloseCode.Unauthenticated, 'authentication failed');
  }

  private refuseBlocked(client: PushClient, retryAfterMs: number, id: RequestId): void {
    this.counters.authFailures++;
    this.opts.onAuth?.(undefined, client.address);
    client.pending = undefined;
    client.sendJson({
      op: 'error',
      code: PushErrorCode.RateLimited,
      message: `too many failed authentication attempts from this address; try again in ${Math.ceil(retryAfterMs / 1000)} s`,
      retryAfterMs,
      id,
    });
    client.ws.close(PushCloseCode.RateLimited, 'too many failed authentication attempts');
  }
}
