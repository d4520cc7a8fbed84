/**
 * The WebSocket side of the fake: Binance's market streams (raw `/ws`, combined `/stream`)
 * and a stub of the WebSocket API (`/ws-api/v3`), on the HTTP server's port.
 *
 * Paths accepted (a leading `/stream` label is allowed before each, because configureCcxt
 * keeps the host's first label in the path: `wss://stream.binance.com:9443/ws` becomes
 * `ws://127.0.0.1:PORT/stream/ws`, so ccxt's isSpotUrl() still sees a spot stream):
 *   /ws, /ws/<n>                raw streams, subscribe by message (ccxt appends a number)
 *   /ws/<symbol>@<stream>       raw stream subscribed from the start
 *   /stream?streams=a/b         combined streams, `{"stream": name, "data": event}`
 *   /ws/<listenKey>             legacy user-data stream: private, refused (401) for now
 *   /ws-api/v3                  WebSocket API: ping and time; anything signed answers -2015
 * Control messages: SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS, SET_PROPERTY/GET_PROPERTY
 * "combined", answered `{"result": ..., "id": ...}`.
 * https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { StreamFaultTarget } from './Faults.js';

/** How the hub records what it received (see FakeBinance.log). */
export type WsLogger = (method: string, path: string, isPrivate: boolean) => void;

/** The fault decisions the hub asks for on each published message. */
export interface StreamFaultGate {
  takeReorder(): 'no' | 'hold' | 'last';
  takeDuplicate(): boolean;
}

/** A WebSocket API request `{id, method, params}`. */
export interface WsApiRequest {
  readonly id: unknown;
  readonly method: string;
  readonly params: Readonly<Record<string, unknown>>;
}

/** Handles one WebSocket API method; returns the `result` (status 200) or throws WsApiError. */
export type WsApiMethod = (request: WsApiRequest, ws: WebSocket) => unknown;

/** Accepts a user-data stream for a listen key: the handler of the new connection, or undefined to refuse. */
export type ListenKeyAcceptor = (listenKey: string) => ((ws: WebSocket) => void) | undefined;

/** A WebSocket API error answer `{id, status, error: {code, msg}}`. */
export class WsApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    msg: string,
  ) {
    super(msg);
  }
}

interface Connection {
  readonly ws: WebSocket;
  readonly subs: Set<string>;
  combined: boolean;
}

interface Outgoing {
  readonly stream: string;
  readonly raw: string;
  readonly wrapped: string;
}

interface Waiter {
  readonly stream: string;
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

const PRIVATE_WS_API =
  /^(userDataStream|session|order|orderList|sor|account|myTrades|myPreventedMatches|myAllocations|openOrders|allOrders|allOrderLists|openOrderLists)\b/;

/** Market streams and WebSocket API of one FakeBinance. */
export class StreamHub implements StreamFaultTarget {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly connections = new Set<Connection>();
  private readonly apiConnections = new Set<WebSocket>();
  private readonly byStream = new Map<string, Set<Connection>>();
  private readonly apiMethods = new Map<string, { handler: WsApiMethod; isPrivate: boolean }>();
  private waiters: Waiter[] = [];
  private held: Outgoing[] = [];
  private stalled: [WebSocket, string][] = [];
  private stallTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private listenKeyAcceptor: ListenKeyAcceptor | undefined;

  constructor(
    private readonly gate: StreamFaultGate,
    private readonly log: WsLogger,
  ) {}

  /** Registers (or replaces) a WebSocket API method; a later issue adds the private ones. */
  apiMethod(name: string, handler: WsApiMethod, opts: { private?: boolean } = {}): void {
    this.apiMethods.set(name, { handler, isPrivate: opts.private ?? false });
  }

  /** Lets listen-key streams in (`/ws/<key>`, futures `/fstream/ws/<key>`, `/fstream/private/ws?listenKey=`). */
  acceptListenKeys(acceptor: ListenKeyAcceptor): void {
    this.listenKeyAcceptor = acceptor;
  }

  /** The HTTP server's 'upgrade' listener. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const userStream = this.userStreamFor(url);
    if (userStream !== undefined) {
      this.log('CONNECT', url.pathname, true);
      if (this.closed) return void socket.destroy();
      this.wss.handleUpgrade(req, socket, head, userStream);
      return;
    }
    const label = url.pathname.startsWith('/stream/') ? url.pathname.slice('/stream'.length) : url.pathname;
    const tail = label.startsWith('/ws/') ? label.slice(4) : undefined;
    let kind: 'api' | 'raw' | 'combined' | 'listenKey' | 'unknown' = 'unknown';
    let initial: string[] = [];
    if (label === '/ws-api/v3') kind = 'api';
    else if (label === '/stream') {
      kind = 'combined';
      initial = (url.searchParams.get('streams') ?? '').split('/').filter((s) => s !== '');
    } else if (label === '/ws' || (tail !== undefined && /^\d*$/.test(tail))) kind = 'raw';
    else if (tail !== undefined && tail.includes('@')) {
      kind = 'raw';
      initial = [tail];
    } else if (tail !== undefined && tail !== '') kind = 'listenKey';
    this.log('CONNECT', url.pathname, kind === 'listenKey');
    if (this.closed || kind === 'unknown' || kind === 'listenKey') {
      const status = kind === 'listenKey' ? '401 Unauthorized' : '404 Not Found';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (kind === 'api') this.acceptApi(ws);
      else this.acceptStream(ws, kind === 'combined', initial);
    });
  }

  /** Sends `build()` to every subscriber of `stream` (built only if there is one), through the faults. */
  publish(stream: string, build: () => unknown): void {
    const subs = this.byStream.get(stream);
    if (subs === undefined || subs.size === 0) return;
    const raw = JSON.stringify(build());
    const msg: Outgoing = { stream, raw, wrapped: `{"stream":${JSON.stringify(stream)},"data":${raw}}` };
    const reorder = this.gate.takeReorder();
    if (reorder === 'no') {
      this.emit(msg);
      return;
    }
    this.held.push(msg);
    if (reorder === 'last') {
      const batch = this.held.reverse();
      this.held = [];
      for (const m of batch) this.emit(m);
    }
  }

  /** Stream names subscribed for a symbol, without the `<symbol>@` prefix. */
  subscribedStreams(streamId: string): string[] {
    const prefix = `${streamId}@`;
    const out: string[] = [];
    for (const [name, subs] of this.byStream)
      if (subs.size > 0 && name.startsWith(prefix)) out.push(name.slice(prefix.length));
    return out;
  }

  /** How many connections are subscribed to `stream`. */
  subscriberCount(stream: string): number {
    return this.byStream.get(stream)?.size ?? 0;
  }

  /** Resolves once some connection is subscribed to `stream`. */
  waitForSubscription(stream: string, timeoutMs: number): Promise<void> {
    if (this.subscriberCount(stream) > 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.timer !== timer);
        reject(new Error(`FakeBinance: no subscription to ${stream} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push({ stream, resolve, reject, timer });
    });
  }

  dropAll(): void {
    for (const c of this.connections) {
      this.unsubscribeAll(c);
      c.ws.terminate();
    }
    this.connections.clear();
    for (const ws of this.apiConnections) ws.terminate();
    this.apiConnections.clear();
  }

  stall(ms: number): void {
    if (this.stallTimer !== undefined) clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(() => this.endStall(), ms);
  }

  release(): void {
    const held = this.held;
    this.held = [];
    for (const m of held) this.emit(m);
    this.endStall();
  }

  /** Closes every connection and stops accepting new ones. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.stallTimer !== undefined) clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    this.stalled = [];
    this.held = [];
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new Error('FakeBinance closed'));
    }
    this.waiters = [];
    this.dropAll();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  /** The accepted user-data stream a connection URL asks for, if it names a valid listen key. */
  private userStreamFor(url: URL): ((ws: WebSocket) => void) | undefined {
    if (this.listenKeyAcceptor === undefined) return undefined;
    const p = url.pathname;
    let key: string | undefined;
    if (/^\/fstream(\/private)?\/ws$/.test(p)) key = url.searchParams.get('listenKey') ?? undefined;
    else {
      const m = /^\/(?:fstream\/|stream\/)?ws\/([^/@]+)$/.exec(p);
      if (m !== null && !/^\d*$/.test(m[1] as string)) key = m[1];
    }
    return key === undefined ? undefined : this.listenKeyAcceptor(key);
  }

  private acceptStream(ws: WebSocket, combined: boolean, initial: string[]): void {
    const c: Connection = { ws, subs: new Set(), combined };
    this.connections.add(c);
    for (const s of initial) this.subscribe(c, s);
    ws.on('message', (data) => this.onStreamMessage(c, rawText(data)));
    ws.on('close', () => {
      this.unsubscribeAll(c);
      this.connections.delete(c);
    });
    ws.on('error', () => ws.terminate());
  }

  private onStreamMessage(c: Connection, text: string): void {
    let msg: { method?: unknown; params?: unknown; id?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      this.send(c.ws, JSON.stringify({ error: { code: 3, msg: 'Invalid JSON' }, id: null }));
      return;
    }
    const id = msg.id ?? null;
    const params = Array.isArray(msg.params) ? (msg.params as unknown[]) : [];
    const reply = (result: unknown): void => this.send(c.ws, JSON.stringify({ result, id }));
    const invalid = (what: string): void =>
      this.send(c.ws, JSON.stringify({ error: { code: 2, msg: `Invalid request: ${what}` }, id }));
    switch (msg.method) {
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE': {
        if (!params.every((p) => typeof p === 'string')) return invalid('params must be stream names');
        for (const s of params) {
          if (msg.method === 'SUBSCRIBE') this.subscribe(c, s);
          else this.unsubscribe(c, s);
        }
        return reply(null);
      }
      case 'LIST_SUBSCRIPTIONS':
        return reply([...c.subs]);
      case 'SET_PROPERTY':
        if (params[0] !== 'combined' || typeof params[1] !== 'boolean') return invalid('unknown property');
        c.combined = params[1];
        return reply(null);
      case 'GET_PROPERTY':
        if (params[0] !== 'combined') return invalid('unknown property');
        return reply(c.combined);
      default:
        return invalid(`unknown method ${JSON.stringify(msg.method)}`);
    }
  }

  private subscribe(c: Connection, stream: string): void {
    this.log('SUBSCRIBE', stream, false);
    c.subs.add(stream);
    let set = this.byStream.get(stream);
    if (set === undefined) this.byStream.set(stream, (set = new Set()));
    set.add(c);
    const ready = this.waiters.filter((w) => w.stream === stream);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.stream !== stream);
    for (const w of ready) {
      clearTimeout(w.timer);
      w.resolve();
    }
  }

  private unsubscribe(c: Connection, stream: string): void {
    this.log('UNSUBSCRIBE', stream, false);
    c.subs.delete(stream);
    this.forget(c, stream);
  }

  private unsubscribeAll(c: Connection): void {
    for (const s of c.subs) this.forget(c, s);
    c.subs.clear();
  }

  private forget(c: Connection, stream: string): void {
    const set = this.byStream.get(stream);
    set?.delete(c);
    if (set?.size === 0) this.byStream.delete(stream);
  }

  private acceptApi(ws: WebSocket): void {
    this.apiConnections.add(ws);
    ws.on('message', (data) => this.onApiMessage(ws, rawText(data)));
    ws.on('close', () => this.apiConnections.delete(ws));
    ws.on('error', () => ws.terminate());
  }

  private onApiMessage(ws: WebSocket, text: string): void {
    let req: WsApiRequest;
    try {
      const parsed = JSON.parse(text) as { id?: unknown; method?: unknown; params?: unknown };
      const params = typeof parsed.params === 'object' && parsed.params !== null ? parsed.params : {};
      req = {
        id: parsed.id ?? null,
        method: String(parsed.method),
        params: params as Record<string, unknown>,
      };
    } catch {
      this.send(ws, JSON.stringify({ id: null, status: 400, error: { code: -1100, msg: 'Invalid JSON.' } }));
      return;
    }
    const known = this.apiMethods.get(req.method);
    const signed = 'signature' in req.params || 'apiKey' in req.params;
    const isPrivate = known?.isPrivate ?? (signed || PRIVATE_WS_API.test(req.method));
    this.log(req.method, '/ws-api/v3', isPrivate);
    try {
      if (known !== undefined) {
        this.send(ws, JSON.stringify({ id: req.id, status: 200, result: known.handler(req, ws) }));
        return;
      }
      if (isPrivate) throw new WsApiError(401, -2015, 'Invalid API-key, IP, or permissions for action.');
      throw new WsApiError(400, -1020, 'This operation is not supported.');
    } catch (e) {
      const err = e instanceof WsApiError ? e : new WsApiError(500, -1000, String(e));
      this.send(
        ws,
        JSON.stringify({ id: req.id, status: err.status, error: { code: err.code, msg: err.message } }),
      );
    }
  }

  private emit(msg: Outgoing): void {
    this.deliver(msg);
    if (this.gate.takeDuplicate()) this.deliver(msg);
  }

  private deliver(msg: Outgoing): void {
    for (const c of this.byStream.get(msg.stream) ?? []) this.send(c.ws, c.combined ? msg.wrapped : msg.raw);
  }

  private send(ws: WebSocket, data: string): void {
    if (this.stallTimer !== undefined) {
      this.stalled.push([ws, data]);
      return;
    }
    if (ws.readyState === WebSocket.OPEN) ws.send(data);
  }

  private endStall(): void {
    if (this.stallTimer !== undefined) clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    const queued = this.stalled;
    this.stalled = [];
    for (const [ws, data] of queued) this.send(ws, data);
  }
}

function rawText(data: unknown): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data as Buffer[]).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return String(data);
}
