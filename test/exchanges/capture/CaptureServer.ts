/**
 * A tiny local HTTP server that records every request exactly as received (method, path,
 * query, headers, raw body) and answers from a table of recorded responses, so a test can
 * check what an unmodified ccxt exchange sends and feed it the exchange's own answers.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server received it. */
export interface CapturedRequest {
  readonly method: string;
  /** Path without the query. */
  readonly path: string;
  /** The raw query string (without '?'), '' when none. */
  readonly query: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A recorded answer: JSON body (or text) and status. */
export interface CannedResponse {
  readonly status?: number;
  readonly body: unknown;
}

/** Picks the answer of a request; undefined answers 404 (and the test sees what was asked). */
export type Responder = (req: CapturedRequest) => CannedResponse | undefined;

/** A capture server on 127.0.0.1. */
export class CaptureServer {
  readonly requests: CapturedRequest[] = [];
  private responder: Responder = () => undefined;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const u = new URL(req.url ?? '/', 'http://capture');
        const captured: CapturedRequest = {
          method: (req.method ?? 'GET').toUpperCase(),
          path: u.pathname,
          query: u.search.slice(1),
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.requests.push(captured);
        const answer = this.responder(captured);
        const status = answer?.status ?? (answer === undefined ? 404 : 200);
        const text =
          answer === undefined ? `no canned answer for ${captured.method} ${captured.path}` : answer.body;
        const isText = typeof text === 'string';
        res.writeHead(status, { 'Content-Type': isText ? 'text/plain' : 'application/json' });
        res.end(isText ? text : JSON.stringify(text));
      });
    });
  }

  /** Starts on a free loopback port. */
  static async start(): Promise<CaptureServer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return new CaptureServer(server, `http://127.0.0.1:${port}`);
  }

  /** Sets how requests are answered. */
  respond(responder: Responder): void {
    this.responder = responder;
  }

  /** The requests received since `from` (an index into `requests`). */
  since(from: number): CapturedRequest[] {
    return this.requests.slice(from);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve, reject) => this.server.close((e) => (e ? reject(e) : resolve())));
  }
}

/** A header's single value. */
export function header(req: CapturedRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
