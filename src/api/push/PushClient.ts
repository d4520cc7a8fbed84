import type { WebSocket } from 'ws';
import type { Identity } from '../auth/Identity.js';
import type { PushChannel, Subscriber } from './PushChannel.js';

/** Why the server let go of a client. */
export type DropReason = 'slow' | 'heartbeat';

const TEXT_FRAME = { binary: false } as const;

/**
 * One WebSocket connection. Everything it is sent passes `deliver`, which enforces the
 * bounded buffer: a client whose unsent bytes exceed the limit reads too slowly to keep
 * up, and is cut off rather than allowed to grow the server's memory.
 */
export class PushClient implements Subscriber {
  identity: Identity | undefined;
  /** Messages received while the token is being checked, handled once it is. */
  pending: string[] | undefined;
  authTimer: NodeJS.Timeout | undefined;
  /** Closes the connection when the session token it authenticated with expires. */
  expiryTimer: NodeJS.Timeout | undefined;
  /** Cleared by each heartbeat sweep, set again by the client's pong. */
  alive = true;
  dropped: DropReason | undefined;
  readonly channels = new Set<PushChannel>();
  /** Most bytes ever waiting in this client's send buffer right after a send. */
  peakBuffered = 0;

  constructor(
    readonly ws: WebSocket,
    readonly address: string,
    private readonly maxBufferedBytes: number,
    private readonly onDrop: (client: PushClient, reason: DropReason) => void,
  ) {}

  deliver(payload: Buffer): void {
    if (this.dropped !== undefined || this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > this.maxBufferedBytes) {
      this.drop('slow');
      return;
    }
    this.ws.send(payload, TEXT_FRAME);
    const buffered = this.ws.bufferedAmount;
    if (buffered > this.peakBuffered) this.peakBuffered = buffered;
  }

  /** A message for this client only (answers, snapshots, errors). */
  sendJson(message: unknown): void {
    this.deliver(Buffer.from(JSON.stringify(message)));
  }

  /** Terminates the connection at once: no close handshake could get through a full buffer. */
  drop(reason: DropReason): void {
    if (this.dropped !== undefined) return;
    this.dropped = reason;
    this.ws.terminate();
    this.onDrop(this, reason);
  }
}
