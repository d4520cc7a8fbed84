/**
 * The HTTP side of the fake: a route table keyed by method and path (Binance's own paths:
 * /api/v3/..., /sapi/v1/..., so one port serves every REST base URL ccxt knows), with the
 * request log and REST faults in front of it. A request no route answers is refused the way
 * Binance refuses it: anything signed or private gets 401 -2015 (a later issue registers the
 * private routes with `route(..., { private: true })`), anything else a plain 404.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Faults, RestFailure } from './Faults.js';

/** A parsed request: query and form body merged into `params`, as Binance reads them. */
export interface RestRequest {
  readonly method: string;
  readonly path: string;
  readonly params: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The raw query string and body, e.g. for checking a signature over them. */
  readonly query: string;
  readonly body: string;
}

/** Handles one route; returns the JSON body of a 200 answer or throws BinanceError. */
export type RestHandler = (req: RestRequest) => unknown;

/** Binance's error answer: HTTP status and `{code, msg}`. */
export class BinanceError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    msg: string,
  ) {
    super(msg);
  }
}

/** How the API records what it received (see FakeBinance.log). */
export type HttpLogger = (method: string, path: string, isPrivate: boolean) => void;

/** Endpoints under /api/v3 that need a signature or an API key for a user's data. */
const PRIVATE_API_V3 = new Set([
  'order',
  'order/test',
  'order/oco',
  'order/cancelReplace',
  'order/amend/keepPriority',
  'order/amendments',
  'orderList',
  'orderList/oco',
  'orderList/oto',
  'orderList/otoco',
  'openOrders',
  'allOrders',
  'allOrderList',
  'openOrderList',
  'myTrades',
  'myPreventedMatches',
  'myAllocations',
  'account',
  'account/commission',
  'rateLimit/order',
  'sor/order',
  'sor/order/test',
  'userDataStream',
]);

/** Whether a request touches a signed, user-data, listenKey, order or account endpoint. */
export function isPrivateRequest(path: string, params: URLSearchParams): boolean {
  if (params.has('signature')) return true;
  if (/\/(userDataStream|listenKey|userListenToken)$/.test(path)) return true;
  if (path.startsWith('/sapi/') && path !== '/sapi/v1/system/status') return true;
  if (path.startsWith('/papi/')) return true;
  const v3 = /^\/api\/v3\/(.+)$/.exec(path);
  return v3 !== null && PRIVATE_API_V3.has(v3[1] as string);
}

const JSON_HEADERS = {
  'Content-Type': 'application/json;charset=UTF-8',
  'x-mbx-used-weight': '1',
  'x-mbx-used-weight-1m': '1',
};

/** Routes, log and faults of the REST API. */
export class RestApi {
  private readonly routes = new Map<string, { handler: RestHandler; isPrivate: boolean | undefined }>();

  constructor(
    private readonly faults: Faults,
    private readonly log: HttpLogger,
  ) {}

  /** Registers (or replaces) the handler of `method path`. */
  route(method: string, path: string, handler: RestHandler, opts: { private?: boolean } = {}): void {
    this.routes.set(`${method.toUpperCase()} ${path}`, { handler, isPrivate: opts.private });
  }

  /** The HTTP server's request listener. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => this.answer(req, Buffer.concat(chunks).toString('utf8'), res));
    req.on('error', () => res.destroy());
  }

  private answer(req: IncomingMessage, body: string, res: ServerResponse): void {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    const params = new URLSearchParams(url.search);
    if (body !== '' && (req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
      for (const [k, v] of new URLSearchParams(body)) params.append(k, v);
    }
    const route = this.routes.get(`${method} ${path}`);
    const isPrivate = route?.isPrivate ?? isPrivateRequest(path, params);
    this.log(method, path, isPrivate);

    const failure = this.faults.takeRestFailure(path);
    if (failure !== undefined) {
      const isText = typeof failure.body === 'string';
      res.writeHead(failure.status, {
        ...(isText ? { 'Content-Type': 'text/plain' } : JSON_HEADERS),
        ...failure.headers,
      });
      res.end(isText ? failure.body : JSON.stringify(failure.body));
      return;
    }
    const action = this.faults.takeRestAction(path);
    const { outcome } = action;
    // A hung request is neither processed nor answered; FakeBinance.close() destroys its socket.
    if (outcome === 'hang') return;
    const run = (): void => {
      if (typeof outcome === 'object' && outcome.before) return this.fail(res, outcome.failure);
      if (route === undefined) {
        if (isPrivate)
          return this.error(
            res,
            new BinanceError(401, -2015, 'Invalid API-key, IP, or permissions for action.'),
          );
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('Not Found');
        return;
      }
      let status = 200;
      let answer: unknown;
      try {
        answer = route.handler({
          method,
          path,
          params,
          headers: req.headers,
          query: url.search.slice(1),
          body,
        });
      } catch (e) {
        const err = e instanceof BinanceError ? e : new BinanceError(500, -1000, `FakeBinance: ${String(e)}`);
        status = err.status;
        answer = { code: err.code, msg: err.message };
      }
      // Processed: what the client learns of it is now up to the fault.
      if (outcome === 'drop') return void res.destroy();
      if (typeof outcome === 'object') return this.fail(res, outcome.failure);
      res.writeHead(status, JSON_HEADERS);
      res.end(JSON.stringify(answer));
    };
    if (action.delayMs > 0) setTimeout(run, action.delayMs);
    else run();
  }

  private fail(res: ServerResponse, failure: RestFailure): void {
    const isText = typeof failure.body === 'string';
    res.writeHead(failure.status, {
      ...(isText ? { 'Content-Type': 'text/plain' } : JSON_HEADERS),
      ...failure.headers,
    });
    res.end(isText ? failure.body : JSON.stringify(failure.body));
  }

  private error(res: ServerResponse, e: BinanceError): void {
    res.writeHead(e.status, JSON_HEADERS);
    res.end(JSON.stringify({ code: e.code, msg: e.message }));
  }
}
