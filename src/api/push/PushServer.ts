import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import { WebSocketServer } from 'ws';
import { QtsError } from '../../core/QtsError.js';
import type { AuthFailureLimiter } from '../auth/AuthFailureLimiter.js';
import type { Authenticator, Identity } from '../auth/Identity.js';
import { TrustedProxies } from '../auth/TrustedProxies.js';
import { credentialOf } from './credentialOf.js';
import { PushAuthGate } from './PushAuthGate.js';
import type { ChannelSpec, PushChannel, Serializer } from './PushChannel.js';
import type { DropReason } from './PushClient.js';
import { PushClient } from './PushClient.js';
import type { PushStats } from './PushStats.js';
import { newPushCounters, pushStats } from './PushStats.js';
import { PushSubscriptions } from './PushSubscriptions.js';
import type { RequestId } from './pushProtocol.js';
import { ClientMessageSchema, PUSH_SUBPROTOCOL, PushCloseCode, PushErrorCode } from './pushProtocol.js';
import { sendPushError } from './sendPushError.js';

// Where the server's callers have always found it.
export type { PushStats } from './PushStats.js';

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
  private readonly clients = new Set<PushClient>();
  private heartbeat: NodeJS.Timeout | undefined;
  private boundPort = 0;
  private readonly proxies: TrustedProxies;
  private readonly counters = newPushCounters();
  private readonly subscriptions: PushSubscriptions;
  private readonly auth: PushAuthGate;

  private constructor(
    private readonly opts: PushServerOptions,
    private readonly http: Server,
    private readonly wss: WebSocketServer,
  ) {
    this.proxies = opts.trustedProxies ?? new TrustedProxies([]);
    this.subscriptions = new PushSubscriptions(this.epoch, opts.serialize, opts.log);
    // Messages held while a token was checked are handled like any other once it passes.
    this.auth = new PushAuthGate(opts, this.counters, (client, text) => this.handle(client, text));
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
    return this.subscriptions.declare(spec);
  }

  channelNames(): string[] {
    return this.subscriptions.names();
  }

  stats(): PushStats {
    return pushStats(this.counters, this.clients);
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
    this.auth.begin(client, credential);
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
    if (this.auth.hold(client, text)) return;
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
        this.auth.onAuthMessage(client, msg.token, msg.id);
        return;
      default:
        this.subscriptions.onChannelMessage(client, msg);
    }
  }

  private error(client: PushClient, code: PushErrorCode, message: string, id?: RequestId): void {
    if (code === PushErrorCode.BadMessage) this.counters.badMessages++;
    sendPushError(client, code, message, id);
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
    if (client.expiryTimer !== undefined) clearTimeout(client.expiryTimer);
    if (client.peakBuffered > this.counters.peakBuffered) this.counters.peakBuffered = client.peakBuffered;
    this.subscriptions.forget(client);
  }
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
