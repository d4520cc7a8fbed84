import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A local webhook receiver that records every POST and can be scripted to fail. */
export class FakeWebhook {
  readonly received: WebhookRequest[] = [];
  requests = 0;
  private failures: number[] = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<FakeWebhook> {
    const ref: { fake?: FakeWebhook } = {};
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const fake = ref.fake as FakeWebhook;
        fake.requests++;
        const status = fake.failures.shift();
        if (status !== undefined) {
          res.writeHead(status).end('failure');
          return;
        }
        fake.received.push({
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        res.writeHead(204).end();
      });
    });
    const fake = new FakeWebhook(server);
    ref.fake = fake;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  url(path = '/hook/s3cr3t-path-token'): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  /** The next requests answer these statuses, in order. */
  failNext(...statuses: number[]): void {
    this.failures.push(...statuses);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
