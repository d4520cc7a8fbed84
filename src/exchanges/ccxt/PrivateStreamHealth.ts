/**
 * Where one private stream stands: `down` (never watched, or its last watch failed),
 * `subscribing` (a watch is under way after a start or a failure, not confirmed yet),
 * `subscribed` (confirmed, and no failure since).
 */
export const StreamState = {
  DOWN: 'down',
  SUBSCRIBING: 'subscribing',
  SUBSCRIBED: 'subscribed',
} as const;
export type StreamState = (typeof StreamState)[keyof typeof StreamState];

/** What is known of one private stream (watchOrders, watchMyTrades). */
export interface StreamStatus {
  readonly name: string;
  readonly state: StreamState;
  /** When it entered its state (engine ms; undefined while never watched). */
  readonly since: number | undefined;
  /** When it last delivered a message (engine ms). */
  readonly lastMessageAt: number | undefined;
  /** Failed watches since the streams were started. */
  readonly failures: number;
  /** Why its last watch failed. */
  readonly lastError: string | undefined;
}

/** The private streams as a whole. */
export interface StreamHealthView {
  /** Every stream subscribed and none failed since: REST may slow down. */
  readonly healthy: boolean;
  /** When the streams last became healthy (engine ms): the moment from which they cover every change. */
  readonly healthySince: number | undefined;
  readonly streams: readonly StreamStatus[];
  /** One line for health pages: why the streams are (not) healthy. */
  readonly detail: string;
}

interface MutableStatus {
  name: string;
  state: StreamState;
  since: number | undefined;
  lastMessageAt: number | undefined;
  failures: number;
  lastError: string | undefined;
}

/**
 * The health of the private streams, as their watch loops report it. Health cannot be
 * "received something recently": an idle account legitimately hears nothing for hours. It
 * rests instead on what ccxt guarantees of a pending watch: its connection is kept alive by
 * pings, and a dropped socket, a missed pong, a refused (re)subscription or an exchange error
 * rejects it. So a stream is subscribed once, after a (re)subscription began, either a
 * message arrived or its watch stayed pending `confirmAfterMs` on open sockets (a refused
 * connection or signature fails well within that); it stays subscribed, however quiet, until
 * a watch fails. A failure makes the streams unhealthy at once; the next confirmation makes
 * them healthy again from that moment (`healthySince`), since reports sent while they were
 * down are lost and must be fetched by REST.
 */
export class PrivateStreamHealth {
  private readonly byName = new Map<string, MutableStatus>();
  private running = false;

  constructor(
    names: readonly string[],
    private readonly confirmAfterMs: number,
  ) {
    for (const name of names)
      this.byName.set(name, {
        name,
        state: StreamState.DOWN,
        since: undefined,
        lastMessageAt: undefined,
        failures: 0,
        lastError: undefined,
      });
  }

  /** The watch loops run (or stopped: every stream down, health off). */
  setRunning(running: boolean, now: number): void {
    this.running = running;
    if (!running) for (const s of this.byName.values()) this.move(s, StreamState.DOWN, now);
  }

  /** A watch is about to be made; begins a (re)subscription unless the stream is subscribed. */
  watching(name: string, now: number): void {
    const s = this.status(name);
    if (s.state === StreamState.DOWN) this.move(s, StreamState.SUBSCRIBING, now);
  }

  /** A message arrived; returns whether this made the streams healthy. */
  received(name: string, now: number): boolean {
    const s = this.status(name);
    s.lastMessageAt = now;
    return this.confirm(s, now);
  }

  /**
   * The watch begun at the start of the subscription is still pending: confirms it once it has
   * been so `confirmAfterMs` with the sockets open. Returns whether this made the streams healthy.
   */
  settled(name: string, now: number, socketsOpen: boolean): boolean {
    const s = this.status(name);
    if (s.state !== StreamState.SUBSCRIBING || !socketsOpen) return false;
    if (now - (s.since ?? now) < this.confirmAfterMs) return false;
    return this.confirm(s, now);
  }

  /** A watch failed (dropped socket, missed pong, refused subscription, exchange error). */
  failed(name: string, now: number, reason: string): void {
    const s = this.status(name);
    s.failures += 1;
    s.lastError = reason;
    this.move(s, StreamState.DOWN, now);
  }

  /** Whether the stream is waiting for its subscription to be confirmed. */
  subscribing(name: string): boolean {
    return this.status(name).state === StreamState.SUBSCRIBING;
  }

  view(): StreamHealthView {
    const streams = [...this.byName.values()].map((s) => ({ ...s }));
    const healthy = this.isHealthy();
    const healthySince = healthy ? Math.max(...streams.map((s) => s.since ?? 0)) : undefined;
    return { healthy, healthySince, streams, detail: describe(this.running, healthy, streams) };
  }

  private isHealthy(): boolean {
    if (!this.running || this.byName.size === 0) return false;
    for (const s of this.byName.values()) if (s.state !== StreamState.SUBSCRIBED) return false;
    return true;
  }

  private confirm(s: MutableStatus, now: number): boolean {
    if (s.state === StreamState.SUBSCRIBED || !this.running) return false;
    const before = this.isHealthy();
    this.move(s, StreamState.SUBSCRIBED, now);
    return !before && this.isHealthy();
  }

  private move(s: MutableStatus, state: StreamState, now: number): void {
    if (s.state === state) return;
    s.state = state;
    s.since = now;
  }

  private status(name: string): MutableStatus {
    const s = this.byName.get(name);
    if (s === undefined) throw new Error(`PrivateStreamHealth: no stream ${name}`);
    return s;
  }
}

function describe(running: boolean, healthy: boolean, streams: readonly StreamStatus[]): string {
  if (!running) return 'private streams off';
  if (healthy) return `private streams healthy (${streams.map((s) => s.name).join(', ')} subscribed)`;
  const bad = streams
    .filter((s) => s.state !== StreamState.SUBSCRIBED)
    .map((s) => `${s.name} ${s.state}${s.lastError === undefined ? '' : ` (last error: ${s.lastError})`}`);
  return `private streams unhealthy: ${bad.join(', ')}`;
}
