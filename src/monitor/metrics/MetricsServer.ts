import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { QtsError } from '../../core/QtsError.js';

/** What the server exposes: the exposition text and its content type. */
export interface MetricsSource {
  readonly contentType: string;
  exposition(): Promise<string>;
}

/**
 * The /metrics endpoint on its own port, apart from the API: Prometheus scrapes it without
 * a token, so it must carry nothing but metrics, and it binds to loopback unless told
 * otherwise. GET and HEAD /metrics only; anything else is a 404 or 405, never a 500.
 */
export class MetricsServer {
  private readonly server: Server;
  private boundPort = 0;

  constructor(private readonly source: MetricsSource) {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
  }

  /** The port actually bound (after listen; a port of 0 picks a free one). */
  get port(): number {
    return this.boundPort;
  }

  get listening(): boolean {
    return this.server.listening;
  }

  async listen(host: string, port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException): void => {
        reject(
          new QtsError(
            'ERR_METRICS_LISTEN',
            `metrics server cannot listen on ${host}:${port}: ${e.message}`,
            {
              host,
              port,
              code: e.code,
            },
          ),
        );
      };
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    const addr = this.server.address();
    this.boundPort = typeof addr === 'object' && addr !== null ? addr.port : 0;
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') return this.reply(res, 404, 'not found: metrics are at /metrics\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return this.reply(res, 405, 'method not allowed\n');
    }
    try {
      const body = await this.source.exposition();
      res.writeHead(200, { 'Content-Type': this.source.contentType, 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (e) {
      this.reply(res, 500, `ERR_METRICS_COLLECT: ${(e as Error).message}\n`);
    }
  }

  private reply(res: ServerResponse, status: number, text: string): void {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(text);
  }
}
