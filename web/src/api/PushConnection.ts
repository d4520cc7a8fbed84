/** What the connection indicator shows. */
export type ConnectionState = 'connecting' | 'live' | 'offline';

/** A channel's data: the snapshot replaces what the view holds, an event updates it. */
export type ChannelHandler = (data: unknown, kind: 'snapshot' | 'event') => void;

interface ServerMessage {
  readonly op: string;
  readonly channel?: string;
  readonly seq?: number;
  readonly epoch?: string;
  readonly data?: unknown;
  readonly code?: string;
  readonly message?: string;
  /** ERR_PUSH_RATE_LIMITED: how long the address is refused (then closed with 4429). */
  readonly retryAfterMs?: number;
}

/** Close code of an address refused for too many failed logins (docs/websocket.md). */
const RATE_LIMITED = 4429;

const RETRY_MS = [500, 1_000, 2_000, 5_000];

/**
 * The engine's WebSocket push (docs/websocket.md), reached through the page's own origin at
 * `/ws`. Keeps the last sequence number of each channel so that after a reconnect (or a
 * gap) it asks to `resume` and gets exactly what it missed, or a fresh snapshot.
 */
export class PushConnection {
  private ws: WebSocket | undefined;
  private epoch: string | undefined;
  private readonly lastSeq = new Map<string, number>();
  private readonly handlers = new Map<string, Set<ChannelHandler>>();
  /** Channels with a resume asked for and not yet answered: later events wait for it. */
  private readonly resuming = new Set<string>();
  private retry = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  /** The server's retryAfterMs of the last refusal for failed logins, until the next reconnect. */
  private refusedForMs: number | undefined;

  constructor(
    private readonly url: string,
    private readonly token: string | undefined,
    private readonly onState: (s: ConnectionState) => void,
    private readonly onUnauthorized: () => void,
  ) {
    this.open();
  }

  /** Follows a channel; the handler first gets its snapshot. Returns the unsubscribe. */
  subscribe(channel: string, handler: ChannelHandler): () => void {
    let set = this.handlers.get(channel);
    if (set === undefined) {
      set = new Set();
      this.handlers.set(channel, set);
      this.send({ op: 'subscribe', channel });
    } else if (this.lastSeq.has(channel)) {
      // A second view of a channel already followed: it asks for a snapshot of its own.
      this.send({ op: 'subscribe', channel });
    }
    set.add(handler);
    return () => {
      set.delete(handler);
      if (set.size === 0) {
        this.handlers.delete(channel);
        this.lastSeq.delete(channel);
        this.send({ op: 'unsubscribe', channel });
      }
    };
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.ws?.close(1000);
  }

  private open(): void {
    this.onState('connecting');
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.resuming.clear();
      if (this.token !== undefined) this.send({ op: 'auth', token: this.token });
      for (const channel of this.handlers.keys()) {
        const seq = this.lastSeq.get(channel);
        this.send(
          seq !== undefined && this.epoch !== undefined
            ? { op: 'resume', channel, lastSeq: seq, epoch: this.epoch }
            : { op: 'subscribe', channel },
        );
      }
    };
    ws.onmessage = (e: MessageEvent) => {
      if (typeof e.data === 'string') this.receive(JSON.parse(e.data) as ServerMessage);
    };
    ws.onclose = (e: { readonly code: number }) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.onState('offline');
      if (this.closed) return;
      if (e.code === 4401) {
        this.onUnauthorized();
        return;
      }
      let delay = RETRY_MS[Math.min(this.retry, RETRY_MS.length - 1)] ?? 5_000;
      // Refused for failed logins (another tab's, or an old token's): every earlier retry would
      // be refused again, so wait as long as the server said.
      if (e.code === RATE_LIMITED && this.refusedForMs !== undefined)
        delay = Math.max(delay, this.refusedForMs);
      this.refusedForMs = undefined;
      this.retry++;
      this.retryTimer = setTimeout(() => this.open(), delay);
    };
  }

  private receive(m: ServerMessage): void {
    if (m.op === 'error' && m.code === 'ERR_PUSH_RATE_LIMITED' && typeof m.retryAfterMs === 'number') {
      this.refusedForMs = m.retryAfterMs;
      return;
    }
    if (m.op === 'hello' || m.op === 'authed' || m.op === 'resumed') {
      if (m.op !== 'hello') {
        this.retry = 0;
        this.onState('live');
      } else if (this.token === undefined) this.onState('live');
      if (m.op === 'resumed' && m.channel !== undefined && m.seq !== undefined) {
        this.lastSeq.set(m.channel, m.seq);
        this.resuming.delete(m.channel);
      }
      return;
    }
    if (m.channel === undefined || m.seq === undefined) return;
    const handlers = this.handlers.get(m.channel);
    if (handlers === undefined) return;
    if (m.op === 'snapshot') {
      this.epoch = m.epoch ?? this.epoch;
      this.lastSeq.set(m.channel, m.seq);
      this.resuming.delete(m.channel);
      for (const h of handlers) h(m.data, 'snapshot');
      return;
    }
    if (m.op !== 'event') return;
    const last = this.lastSeq.get(m.channel);
    if (last !== undefined && m.seq <= last) return; // already seen (replayed twice)
    if (last !== undefined && m.seq > last + 1) {
      // A gap: ask for what was missed instead of showing a hole.
      if (!this.resuming.has(m.channel)) {
        this.resuming.add(m.channel);
        this.send({ op: 'resume', channel: m.channel, lastSeq: last, epoch: this.epoch });
      }
      return;
    }
    this.lastSeq.set(m.channel, m.seq);
    for (const h of handlers) h(m.data, 'event');
  }

  private send(m: Record<string, unknown>): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(m));
  }
}

/** The push endpoint of the page's origin (the engine and the dashboard server proxy it at /ws). */
export function pushUrl(loc: { readonly protocol: string; readonly host: string }): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/ws`;
}
