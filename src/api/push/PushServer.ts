import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import { WebSocketServer } from 'ws';
import { QtsError } from '../../core/QtsError.js';
import {
  AuthFailureLimiter,
  DEFAULT_AUTH_FAILURES,
  DEFAULT_AUTH_WINDOW_MS,
} from '../auth/AuthFailureLimiter.js';
import type { Authenticator, Identity } from '../auth/Identity.js';
import { roleAllows } from '../auth/Identity.js';
import { TrustedProxies } from '../auth/TrustedProxies.js';
import type { ChannelSpec, Serializer } from './PushChannel.js';
import { PushChannel } from './PushChannel.js';
import type { DropReason } from './PushClient.js';
import { PushClient } from './PushClient.js';
import type { ClientMessage, RequestId } from './pushProtocol.js';
import {
  BEARER_SUBPROTOCOL_PREFIX,
  ClientMessageSchema,
  PUSH_SUBPROTOCOL,
  PushCloseCode,
  PushErrorCode,
} from './pushProtocol.js';

export interface PushServerOptions {
  readonly host: string;
  /** 0 = any free port (tests); the bound one is `port`. */
  readonly port: number;
  readonly authenticator: Authenticator;
  /**
   * Failed authentications per client address. Default: the authenticator's (the one the
   * REST API of the same configuration counts into), else one of this server's own with the
   * default limits.
   */
  readonly authFailures?: AuthFailureLimiter;
  /**
   * Peers whose X-Forwarded-For names the client (the dashboard's /ws, an nginx): the address
   * failed logins are counted under and audited as. The REST API's list (api.trustedProxies),
   * so a browser has one address on both ports. Default: none, every client is its socket.
   */
  readonly trustedProxies?: TrustedProxies;
  /** Anyone connecting reads as a viewer (only when no token is configured and the host is loopback). */
  readonly allowAnonymous: boolean;
  readonly maxBufferedBytes: number;
  readonly heartbeatMs: number;
  readonly maxClients: number;
  /** How long a connection may stay without a valid credential. */
  readonly authTimeoutMs?: number;
  /** Largest message a client may send. */
  readonly maxPayloadBytes?: number;
  readonly log?: Logger;
  readonly serialize?: Serializer;
  /** Told of every authentication attempt (the audit trail). */
  readonly onAuth?: (identity: Identity | undefined, address: string) => void;
}

/** Counters of a running push server, for health and tests. */
export interface PushStats {
  readonly clients: number;
  readonly authenticated: number;
  readonly subscriptions: number;
  readonly connections: number;
  readonly droppedSlow: number;
  readonly droppedHeartbeat: number;
  readonly authFailures: number;
  readonly rejectedFull: number;
  readonly badMessages: number;
  /** Most bytes any client ever had waiting after a send (bounded by maxBufferedBytes + one message). */
  readonly peakBuffered: number;
}

const ANONYMOUS: Identity = { name: 'anonymous', role: 'viewer' };
/** Messages a client may send before its token is checked (auth then subscriptions, typically). */
const MAX_PENDING = 64;

/**
 * The WebSocket push server: authenticated subscriptions to named channels, events
 * serialized once per channel and fanned out as the same bytes, per-client bounded send
 * buffers (slow readers are dropped), protocol-level heartbeats, and per-channel sequence
 * numbers with snapshots and replay so a client can detect and repair a gap.
 * The protocol is documented in docs/websocket.md.
 */
export class PushServer {
  /** Changes on every start: sequence numbers of another epoch mean nothing here. */
  readonly epoch = randomUUID().slice(0, 8);
  private readonly channels = new Map<string, PushChannel>();
  private readonly clients = new Set<PushClient>();
  private heartbeat: NodeJS.Timeout | undefined;
  private boundPort = 0;
  private readonly failures: AuthFailureLimiter;
  private readonly proxies: TrustedProxies;
  private counters = {
    connections: 0,
    droppedSlow: 0,
    droppedHeartbeat: 0,
    authFailures: 0,
    rejectedFull: 0,
    badMessages: 0,
    peakBuffered: 0,
  };

  private constructor(
    private readonly opts: PushServerOptions,
    private readonly http: Server,
    private readonly wss: WebSocketServer,
  ) {
    // Only a window's length is measured, so a monotonic clock will do when none is shared.
    this.failures =
      opts.authFailures ??
      opts.authenticator.failures ??
      new AuthFailureLimiter(DEFAULT_AUTH_FAILURES, DEFAULT_AUTH_WINDOW_MS, () => performance.now());
    this.proxies = opts.trustedProxies ?? new TrustedProxies([]);
  }

  static async start(opts: PushServerOptions): Promise<PushServer> {
    const http = createServer(answerPlainHttp);
    const wss = new WebSocketServer({
      server: http,
      clientTracking: false,
      // Compression would make every client's bytes different: no serialize-once fan-out.
      perMessageDeflate: false,
      maxPayload: opts.maxPayloadBytes ?? 64 * 1024,
      handleProtocols: (offered) => (offered.has(PUSH_SUBPROTOCOL) ? PUSH_SUBPROTOCOL : false),
    });
    const server = new PushServer(opts, http, wss);
    wss.on('connection', (ws, req) => server.onConnection(ws, req));
    wss.on('error', (err) => opts.log?.error({ err }, 'push server error'));
    await new Promise<void>((resolve, reject) => {
      const fail = (err: NodeJS.ErrnoException): void =>
        reject(
          new QtsError(
            'ERR_PUSH_LISTEN',
            `WebSocket push cannot listen on ${opts.host}:${opts.port}: ${err.code ?? err.message} (set push.port, or push.enabled false)`,
          ),
        );
      http.once('error', fail);
      http.listen(opts.port, opts.host, () => {
        http.off('error', fail);
        resolve();
      });
    });
    const addr = http.address();
    server.boundPort = typeof addr === 'object' && addr !== null ? addr.port : 0;
    server.heartbeat = setInterval(() => server.sweep(), opts.heartbeatMs);
    server.heartbeat.unref();
    return server;
  }

  /** The port actually bound. */
  get port(): number {
    return this.boundPort;
  }

  /** Declares a channel; its source publishes through the returned object. */
  channel(spec: ChannelSpec): PushChannel {
    if (this.channels.has(spec.name))
      throw new QtsError('ERR_PUSH_DUPLICATE_CHANNEL', `push channel ${spec.name} declared twice`);
    const ch = new PushChannel(spec, this.opts.serialize);
    this.channels.set(spec.name, ch);
    return ch;
  }

  channelNames(): string[] {
    return [...this.channels.keys()];
  }

  stats(): PushStats {
    let authenticated = 0;
    let subscriptions = 0;
    let peak = this.counters.peakBuffered;
    for (const c of this.clients) {
      if (c.identity !== undefined) authenticated++;
      subscriptions += c.channels.size;
      if (c.peakBuffered > peak) peak = c.peakBuffered;
    }
    return { ...this.counters, clients: this.clients.size, authenticated, subscriptions, peakBuffered: peak };
  }

  /** Says goodbye (1001) to every client, then stops listening. */
  async close(): Promise<void> {
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    const closing = [...this.clients].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.ws.readyState === c.ws.CLOSED) return resolve();
          c.ws.once('close', () => resolve());
          c.ws.close(PushCloseCode.ServerStopping, 'server stopping');
        }),
    );
    // A client that does not answer the close frame is not waited for.
    const grace = new Promise<void>((resolve) => setTimeout(resolve, 1_000).unref());
    await Promise.race([Promise.all(closing), grace]);
    for (const c of this.clients) c.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private onConnection(ws: WebSocket, req: IncomingMessage): void {
    ws.on('error', () => undefined); // A broken frame closes the socket; 'close' cleans up.
    if (this.clients.size >= this.opts.maxClients) {
      this.counters.rejectedFull++;
      ws.close(PushCloseCode.TryAgainLater, 'too many clients');
      return;
    }
    this.counters.connections++;
    const address = this.proxies.clientOf(req) || '?';
    const client = new PushClient(ws, address, this.opts.maxBufferedBytes, (c, r) => this.onDrop(c, r));
    this.clients.add(client);
    ws.on('close', () => this.forget(client));
    ws.on('pong', () => (client.alive = true));
    ws.on('message', (data, isBinary) => this.onMessage(client, data, isBinary));
    const credential = credentialOf(req);
    client.sendJson({
      op: 'hello',
      epoch: this.epoch,
      auth: credential !== undefined || !this.opts.allowAnonymous ? 'required' : 'none',
      heartbeatMs: this.opts.heartbeatMs,
      channels: this.channelNames(),
    });
    if (credential !== undefined) this.authenticate(client, credential, undefined);
    else if (this.opts.allowAnonymous) this.accept(client, ANONYMOUS, undefined);
    else
      client.authTimer = setTimeout(
        () => this.refuse(client, 'no token received in time: send {"op":"auth","token":…} first', undefined),
        this.opts.authTimeoutMs ?? 10_000,
      );
  }

  private onMessage(client: PushClient, data: RawData, isBinary: boolean): void {
    client.alive = true;
    if (isBinary) {
      this.error(
        client,
        PushErrorCode.BadMessage,
        'binary frames are not part of the protocol: send JSON text',
      );
      return;
    }
    const text = rawText(data);
    if (client.pending !== undefined) {
      if (client.pending.length >= MAX_PENDING) {
        this.error(client, PushErrorCode.TooManyPending, 'too many messages before the token was checked');
        client.ws.close(PushCloseCode.PolicyViolation, 'too many pending messages');
        return;
      }
      client.pending.push(text);
      return;
    }
    this.handle(client, text);
  }

  private handle(client: PushClient, text: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      this.error(client, PushErrorCode.BadMessage, 'not JSON: every message is a JSON object with an "op"');
      return;
    }
    const parsed = ClientMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`);
      this.error(client, PushErrorCode.BadMessage, `invalid message: ${issues.join('; ')}`, idOf(raw));
      return;
    }
    const msg = parsed.data;
    switch (msg.op) {
      case 'ping':
        client.sendJson({ op: 'pong', id: msg.id });
        return;
      case 'pong':
        return;
      case 'auth':
        if (client.identity !== undefined) {
          client.sendJson({
            op: 'authed',
            name: client.identity.name,
            role: client.identity.role,
            id: msg.id,
          });
          return;
        }
        this.authenticate(client, msg.token, msg.id);
        return;
      default:
        this.channelOp(client, msg);
    }
  }

  private channelOp(client: PushClient, msg: Extract<ClientMessage, { channel: string }>): void {
    if (client.identity === undefined) {
      this.error(
        client,
        PushErrorCode.Unauthenticated,
        'authenticate first: {"op":"auth","token":…}, ?token= or the bearer.<token> sub-protocol',
        msg.id,
      );
      client.ws.close(PushCloseCode.Unauthenticated, 'unauthenticated');
      return;
    }
    const ch = this.channels.get(msg.channel);
    if (ch === undefined) {
      this.error(
        client,
        PushErrorCode.UnknownChannel,
        `unknown channel ${JSON.stringify(msg.channel)}; channels: ${this.channelNames().join(', ')}`,
        msg.id,
      );
      return;
    }
    if (!roleAllows(client.identity.role, ch.role)) {
      this.error(client, PushErrorCode.Forbidden, `channel ${ch.name} needs the ${ch.role} role`, msg.id);
      return;
    }
    if (msg.op === 'unsubscribe') {
      ch.remove(client);
      client.channels.delete(ch);
      client.sendJson({ op: 'unsubscribed', channel: ch.name, id: msg.id });
      return;
    }
    if (msg.op === 'resume' && (msg.epoch === undefined || msg.epoch === this.epoch)) {
      const missed = ch.replaySince(msg.lastSeq);
      if (missed !== undefined) {
        // Added before replaying: nothing can be published in between (one thread), so no gap.
        ch.add(client);
        client.channels.add(ch);
        for (const payload of missed) client.deliver(payload);
        client.sendJson({
          op: 'resumed',
          channel: ch.name,
          seq: ch.seq,
          replayed: missed.length,
          id: msg.id,
        });
        return;
      }
    }
    let data: unknown;
    try {
      data = ch.snapshot();
    } catch (e) {
      this.opts.log?.warn({ err: e, channel: ch.name }, 'push snapshot failed');
      this.error(
        client,
        PushErrorCode.SnapshotFailed,
        `no snapshot of ${ch.name}: ${(e as Error).message}`,
        msg.id,
      );
      return;
    }
    ch.add(client);
    client.channels.add(ch);
    client.sendJson({ op: 'snapshot', channel: ch.name, seq: ch.seq, epoch: this.epoch, data, id: msg.id });
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

  private refuse(client: PushClient, why: string, id: RequestId): void {
    this.counters.authFailures++;
    this.opts.onAuth?.(undefined, client.address);
    client.pending = undefined;
    this.error(client, PushErrorCode.AuthFailed, why, id);
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

  private error(client: PushClient, code: PushErrorCode, message: string, id?: RequestId): void {
    if (code === PushErrorCode.BadMessage) this.counters.badMessages++;
    client.sendJson({ op: 'error', code, message, id });
  }

  /** Heartbeat: a client that did not answer the previous ping is gone (or hung). */
  private sweep(): void {
    for (const c of this.clients) {
      if (!c.alive) {
        c.drop('heartbeat');
        continue;
      }
      c.alive = false;
      if (c.ws.readyState === c.ws.OPEN) c.ws.ping();
    }
  }

  private onDrop(client: PushClient, reason: DropReason): void {
    if (reason === 'slow') this.counters.droppedSlow++;
    else this.counters.droppedHeartbeat++;
    this.opts.log?.warn(
      { client: client.identity?.name, address: client.address, reason },
      reason === 'slow'
        ? `push client dropped: more than ${this.opts.maxBufferedBytes} bytes unsent (reads too slowly)`
        : 'push client dropped: no pong to the last heartbeat',
    );
    this.forget(client);
  }

  private forget(client: PushClient): void {
    if (!this.clients.delete(client)) return;
    if (client.authTimer !== undefined) clearTimeout(client.authTimer);
    if (client.peakBuffered > this.counters.peakBuffered) this.counters.peakBuffered = client.peakBuffered;
    for (const ch of client.channels) ch.remove(client);
    client.channels.clear();
  }
}

/** A token from the handshake: `?token=`, `Authorization: Bearer`, or a `bearer.<token>` sub-protocol. */
function credentialOf(req: IncomingMessage): string | undefined {
  const query = new URL(req.url ?? '/', 'http://push').searchParams.get('token');
  if (query !== null && query !== '') return query;
  const auth = req.headers.authorization;
  if (auth !== undefined && /^bearer /i.test(auth)) return auth.slice(7).trim();
  const protocols = req.headers['sec-websocket-protocol'];
  if (protocols !== undefined) {
    for (const p of protocols.split(',')) {
      const t = p.trim();
      if (t.startsWith(BEARER_SUBPROTOCOL_PREFIX)) return t.slice(BEARER_SUBPROTOCOL_PREFIX.length);
    }
  }
  return undefined;
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function idOf(raw: unknown): RequestId {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const id = (raw as { id?: unknown }).id;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}

/** Plain HTTP on the push port: a short JSON answer saying this is a WebSocket endpoint. */
function answerPlainHttp(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(426, { 'content-type': 'application/json', upgrade: 'websocket', connection: 'Upgrade' });
  res.end(
    JSON.stringify({
      error: 'ERR_PUSH_UPGRADE_REQUIRED',
      message: 'this is the WebSocket push endpoint: connect with a WebSocket client (docs/websocket.md)',
    }),
  );
}
