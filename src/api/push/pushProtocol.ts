import { z } from 'zod';

/** Error codes a push client receives in `{"op":"error","code":…}` messages. */
export const PushErrorCode = {
  /** Not JSON, not an object, unknown op or a missing/invalid field. */
  BadMessage: 'ERR_PUSH_BAD_MESSAGE',
  /** A subscription before a successful `auth` (the connection is then closed with 4401). */
  Unauthenticated: 'ERR_PUSH_UNAUTHENTICATED',
  /** The token is unknown, expired or forged, or none came in time (closed with 4401). */
  AuthFailed: 'ERR_PUSH_AUTH_FAILED',
  /**
   * The session token the connection authenticated with expired (closed with 4401): log in
   * again for a new one. Static API tokens do not expire.
   */
  SessionExpired: 'ERR_PUSH_SESSION_EXPIRED',
  /**
   * Too many failed authentications from this address (REST and push together): refused, even
   * with a right token, for `retryAfterMs` (closed with 4429).
   */
  RateLimited: 'ERR_PUSH_RATE_LIMITED',
  /** The identity's role may not read this channel. */
  Forbidden: 'ERR_PUSH_FORBIDDEN',
  UnknownChannel: 'ERR_PUSH_UNKNOWN_CHANNEL',
  /** The channel's source could not produce its current state; the subscription is not made. */
  SnapshotFailed: 'ERR_PUSH_SNAPSHOT_FAILED',
  /** Too many messages sent while the token was still being checked (closed with 1008). */
  TooManyPending: 'ERR_PUSH_TOO_MANY_PENDING',
} as const;
export type PushErrorCode = (typeof PushErrorCode)[keyof typeof PushErrorCode];

/**
 * Close codes the server uses. 4xxx are ours (a browser's CloseEvent.code shows them); a
 * slow or silent client is terminated without a close frame (the browser sees 1006).
 */
export const PushCloseCode = {
  ServerStopping: 1001,
  PolicyViolation: 1008,
  TryAgainLater: 1013,
  Unauthenticated: 4401,
  /** Too many failed authentications from this address: wait, the token may be right. */
  RateLimited: 4429,
} as const;

/** Sub-protocol a browser offers beside `bearer.<token>`; the server selects it. */
export const PUSH_SUBPROTOCOL = 'qts.v1';
/** Prefix of the token carried as a Sec-WebSocket-Protocol entry (browsers cannot set headers). */
export const BEARER_SUBPROTOCOL_PREFIX = 'bearer.';

const requestId = z.union([z.string().max(64), z.number().finite()]).optional();
const channel = z.string().min(1).max(200);

/** Every message a client may send; `id` is echoed in the direct answer to it. */
export const ClientMessageSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('auth'), token: z.string().min(1).max(8_192), id: requestId }),
  z.object({ op: z.literal('subscribe'), channel, id: requestId }),
  z.object({ op: z.literal('unsubscribe'), channel, id: requestId }),
  z.object({
    op: z.literal('resume'),
    channel,
    /** The last sequence number the client processed on this channel. */
    lastSeq: z.number().int().min(0),
    /** The server epoch that sequence belongs to (from hello/snapshot); another epoch means a snapshot. */
    epoch: z.string().max(64).optional(),
    id: requestId,
  }),
  z.object({ op: z.literal('ping'), id: requestId }),
  z.object({ op: z.literal('pong'), id: requestId }),
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;
export type RequestId = string | number | undefined;
