import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PushConnection } from '../../web/src/api/PushConnection.js';

/** Stands in for the browser's WebSocket: records each one opened and lets the test answer. */
class FakeSocket {
  static readonly OPEN = 1;
  static opened: FakeSocket[] = [];
  readyState = FakeSocket.OPEN;
  readonly sent: unknown[] = [];
  onopen: (() => void) | undefined;
  onmessage: ((e: { data: string }) => void) | undefined;
  onclose: ((e: { code: number }) => void) | undefined;
  constructor(readonly url: string) {
    FakeSocket.opened.push(this);
  }
  send(text: string): void {
    this.sent.push(JSON.parse(text));
  }
  close(): void {}
  /** The server's answer, then its close. */
  serverCloses(code: number, message?: object): void {
    if (message !== undefined) this.onmessage?.({ data: JSON.stringify(message) });
    this.onclose?.({ code });
  }
}

describe('PushConnection (the dashboard’s WebSocket) after a refusal for failed logins', () => {
  beforeEach(() => {
    FakeSocket.opened = [];
    vi.stubGlobal('WebSocket', FakeSocket);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('waits the retryAfterMs the server gave before reconnecting, not its usual backoff', async () => {
    const conn = new PushConnection(
      'ws://x/ws',
      'tok',
      () => {},
      () => {},
    );
    const first = FakeSocket.opened[0] as FakeSocket;
    first.onopen?.();
    first.serverCloses(4429, {
      op: 'error',
      code: 'ERR_PUSH_RATE_LIMITED',
      message: 'too many failed authentication attempts',
      retryAfterMs: 60_000,
    });
    await vi.advanceTimersByTimeAsync(59_000);
    expect(FakeSocket.opened).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(FakeSocket.opened).toHaveLength(2);

    // An ordinary drop afterwards is retried on the usual backoff again.
    (FakeSocket.opened[1] as FakeSocket).serverCloses(1006);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(FakeSocket.opened).toHaveLength(3);
    conn.close();
  });
});
