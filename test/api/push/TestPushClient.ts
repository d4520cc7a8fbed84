import WebSocket from 'ws';

/** A server message as the tests read it. */
export interface PushMessage {
  readonly op: string;
  readonly channel?: string;
  readonly seq?: number;
  readonly code?: string;
  readonly id?: string | number;
  readonly data?: unknown;
  readonly [k: string]: unknown;
}

/** A real `ws` client that records every message and lets a test wait for one. */
export class TestPushClient {
  readonly messages: PushMessage[] = [];
  closed: { code: number; reason: string } | undefined;
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      this.messages.push(JSON.parse(data.toString('utf8')) as PushMessage);
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
    ws.on('error', () => undefined);
  }

  /** `options`: e.g. `localAddress` to connect from another loopback address, or `headers`. */
  static connect(
    url: string,
    protocols?: string[],
    options?: WebSocket.ClientOptions,
  ): Promise<TestPushClient> {
    const ws = new WebSocket(url, protocols ?? [], options);
    const client = new TestPushClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Events of one channel received so far, in arrival order. */
  events(channel: string): PushMessage[] {
    return this.messages.filter((m) => m.op === 'event' && m.channel === channel);
  }

  /** The first message (already received or still to come) that matches. */
  waitFor(pred: (m: PushMessage) => boolean, what: string, ms = 10_000): Promise<PushMessage> {
    return this.until(() => this.messages.find(pred), what, ms);
  }

  waitClose(ms = 10_000): Promise<{ code: number; reason: string }> {
    return this.until(() => this.closed, 'close', ms);
  }

  /** Resolves with cond()'s first defined value, re-checked on every message or close. */
  until<T>(cond: () => T | undefined, what: string, ms = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const v = cond();
        if (v === undefined) return false;
        clearTimeout(timer);
        resolve(v);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new Error(
            `timed out waiting for ${what}; last messages: ${JSON.stringify(this.messages.slice(-3))}`,
          ),
        );
      }, ms);
      const waiter = (): void => {
        if (check()) this.waiters = this.waiters.filter((w) => w !== waiter);
      };
      if (!check()) this.waiters.push(waiter);
    });
  }

  close(): void {
    this.ws.terminate();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

/** Waits for a condition on server state, checking at every turn of the event loop (no fixed sleeps). */
export async function eventually(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
