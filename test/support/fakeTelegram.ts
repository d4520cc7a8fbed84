import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A sendMessage call as the fake Bot API received it. */
export interface TelegramMessage {
  readonly token: string;
  readonly chatId: string;
  readonly text: string;
  readonly parseMode: string | undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * A local stand-in for https://api.telegram.org: POST /bot<token>/sendMessage with the
 * Bot API's answers (ok:true, 401 for an unknown token, 400 for a missing chat or
 * unparsable HTML, 429 with retry_after), and scripted failures for retry tests.
 */
export class FakeTelegram {
  readonly messages: TelegramMessage[] = [];
  /** Every request, failed ones included. */
  requests = 0;
  private failures: { status: number; retryAfter?: number }[] = [];
  private stalled = false;
  private readonly waiting = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly token: string,
  ) {}

  static async start(token = '123456:TEST-token_abcdefghijklmnop'): Promise<FakeTelegram> {
    const ref: { fake?: FakeTelegram } = {};
    const server = createServer((req, res) => void ref.fake?.handle(req, res));
    const fake = new FakeTelegram(server, token);
    ref.fake = fake;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get apiBase(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next `count` requests fail with `status` (429 carries retry_after seconds). */
  failNext(count: number, status: number, retryAfter?: number): void {
    for (let i = 0; i < count; i++)
      this.failures.push({ status, ...(retryAfter === undefined ? {} : { retryAfter }) });
  }

  /** Requests hang without an answer until `release` (a server that accepts and never replies). */
  stall(): void {
    this.stalled = true;
  }

  release(): void {
    this.stalled = false;
    for (const res of this.waiting) res.destroy();
    this.waiting.clear();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests++;
    const body = await readBody(req);
    if (this.stalled) {
      this.waiting.add(res);
      return;
    }
    const reply = (status: number, obj: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(obj));
    };
    const failure = this.failures.shift();
    if (failure !== undefined) {
      reply(failure.status, {
        ok: false,
        error_code: failure.status,
        description: failure.status === 429 ? 'Too Many Requests: retry later' : 'Internal Server Error',
        ...(failure.retryAfter === undefined ? {} : { parameters: { retry_after: failure.retryAfter } }),
      });
      return;
    }
    const m = /^\/bot([^/]+)\/sendMessage$/.exec(req.url ?? '');
    if (req.method !== 'POST' || m === null)
      return reply(404, { ok: false, error_code: 404, description: 'Not Found' });
    if (decodeURIComponent(m[1] as string) !== this.token)
      return reply(401, { ok: false, error_code: 401, description: 'Unauthorized' });
    let msg: { chat_id?: unknown; text?: unknown; parse_mode?: unknown };
    try {
      msg = JSON.parse(body) as typeof msg;
    } catch {
      return reply(400, { ok: false, error_code: 400, description: 'Bad Request: invalid JSON' });
    }
    if (msg.chat_id === undefined || msg.chat_id === '')
      return reply(400, { ok: false, error_code: 400, description: 'Bad Request: chat not found' });
    if (typeof msg.text !== 'string' || msg.text.length === 0 || msg.text.length > 4096)
      return reply(400, {
        ok: false,
        error_code: 400,
        description: 'Bad Request: message text is empty or too long',
      });
    if (msg.parse_mode === 'HTML' && !balancedHtml(msg.text))
      return reply(400, { ok: false, error_code: 400, description: "Bad Request: can't parse entities" });
    this.messages.push({
      token: m[1] as string,
      chatId: typeof msg.chat_id === 'number' ? String(msg.chat_id) : (msg.chat_id as string),
      text: msg.text,
      parseMode: typeof msg.parse_mode === 'string' ? msg.parse_mode : undefined,
    });
    reply(200, { ok: true, result: { message_id: this.messages.length, date: 0, text: msg.text } });
  }

  async close(): Promise<void> {
    this.release();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Telegram's HTML mode: only known tags, properly nested, and `<`/`&` escaped elsewhere. */
function balancedHtml(text: string): boolean {
  const stack: string[] = [];
  const re = /<(\/?)([a-z]+)>|<|&(?!(?:amp|lt|gt|quot);)/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const name = m[2];
    if (name === undefined || !['b', 'i', 'u', 's', 'code', 'pre'].includes(name)) return false;
    if (m[1] === '/') {
      if (stack.pop() !== name) return false;
    } else stack.push(name);
  }
  return stack.length === 0;
}
