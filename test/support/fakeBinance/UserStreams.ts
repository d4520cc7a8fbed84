/**
 * The user-data streams of the fake's account, in both forms ccxt uses:
 * - spot: the WebSocket API method `userDataStream.subscribe.signature` on /ws-api/v3; events
 *   then arrive on that same connection as `{"subscriptionId": n, "event": {...}}`;
 * - USDT-M futures: a listen key from POST /fapi/v1/listenKey (valid 60 minutes, PUT extends
 *   it, DELETE closes it), then a stream connection `/fstream/private/ws?listenKey=K` (or the
 *   older `/fstream/ws/K`); events arrive bare. An expired key gets `listenKeyExpired` and its
 *   connections are closed.
 * Faults that act on execution reports (executionReport / ORDER_TRADE_UPDATE) live here:
 * duplicates, reordering, losing single reports, dropping the user streams.
 * https://developers.binance.com/docs/binance-spot-api-docs/websocket-api/user-data-stream-requests
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/user-data-streams/Start-User-Data-Stream
 */
import { createHash } from 'node:crypto';
import { WebSocket } from 'ws';
import { BinanceError } from './RestApi.js';

/** A listen key's lifetime without keepalive. */
export const LISTEN_KEY_VALIDITY_MS = 60 * 60 * 1000;

interface SpotSubscriber {
  readonly ws: WebSocket;
  readonly subscriptionId: number;
}

interface ListenKey {
  readonly apiKey: string;
  validUntil: number;
}

interface Held {
  readonly venue: 'spot' | 'futures';
  readonly event: Record<string, unknown>;
}

/** User-data subscribers, listen keys and execution-report faults. */
export class UserStreams {
  private readonly spot: SpotSubscriber[] = [];
  private readonly futures = new Map<WebSocket, string>();
  private readonly keys = new Map<string, ListenKey>();
  private nextSubscriptionId = 0;
  private keySeq = 0;
  private duplicates = 0;
  private reorders = 0;
  private drops = 0;
  private held: Held[] = [];

  /** @param wallClock the clock of listen-key validity (Binance's: real time). */
  constructor(private readonly wallClock: () => number) {}

  /** How many user-data connections are open (spot subscriptions + futures streams). */
  get subscriberCount(): number {
    return this.spot.length + this.futures.size;
  }

  /** Subscribes a WebSocket API connection to the spot account's events; the subscriptionId. */
  subscribeSpot(ws: WebSocket): number {
    const existing = this.spot.find((s) => s.ws === ws);
    if (existing !== undefined) return existing.subscriptionId;
    const sub = { ws, subscriptionId: this.nextSubscriptionId++ };
    this.spot.push(sub);
    ws.once('close', () => {
      const i = this.spot.indexOf(sub);
      if (i >= 0) this.spot.splice(i, 1);
    });
    return sub.subscriptionId;
  }

  /** POST /fapi/v1/listenKey: the account's active key (extended), or a new one. */
  createListenKey(apiKey: string): string {
    this.expireDue();
    const now = this.wallClock();
    for (const [key, k] of this.keys) {
      if (k.apiKey === apiKey) {
        k.validUntil = now + LISTEN_KEY_VALIDITY_MS;
        return key;
      }
    }
    const key = createHash('sha256')
      .update(`${apiKey}:${this.keySeq++}:${now}`)
      .digest('base64url')
      .slice(0, 64);
    this.keys.set(key, { apiKey, validUntil: now + LISTEN_KEY_VALIDITY_MS });
    return key;
  }

  /** PUT /fapi/v1/listenKey: extends the account's key by 60 minutes; -1125 if it has none. */
  keepAlive(apiKey: string): string {
    this.expireDue();
    for (const [key, k] of this.keys) {
      if (k.apiKey === apiKey) {
        k.validUntil = this.wallClock() + LISTEN_KEY_VALIDITY_MS;
        return key;
      }
    }
    throw new BinanceError(400, -1125, 'This listenKey does not exist.');
  }

  /** DELETE /fapi/v1/listenKey: closes the account's key and its streams. */
  closeListenKey(apiKey: string): void {
    for (const [key, k] of this.keys) if (k.apiKey === apiKey) this.endKey(key, false);
  }

  /** When a listen key is valid until (epoch ms), undefined if unknown. */
  validUntil(key: string): number | undefined {
    return this.keys.get(key)?.validUntil;
  }

  /** Expires every listen key now, as if 60 minutes passed without keepalive. */
  expireListenKeys(): void {
    for (const key of [...this.keys.keys()]) this.endKey(key, true);
  }

  /** The stream-connection handler for `listenKey`, undefined (refused) if it is not valid. */
  acceptFutures(listenKey: string): ((ws: WebSocket) => void) | undefined {
    this.expireDue();
    if (!this.keys.has(listenKey)) return undefined;
    return (ws) => {
      this.futures.set(ws, listenKey);
      ws.once('close', () => this.futures.delete(ws));
      ws.on('error', () => ws.terminate());
    };
  }

  /** Sends a spot account event to every spot subscriber, through the faults. */
  publishSpot(event: Record<string, unknown>): void {
    this.publish({ venue: 'spot', event });
  }

  /** Sends a futures account event to every listen-key stream, through the faults. */
  publishFutures(event: Record<string, unknown>): void {
    this.publish({ venue: 'futures', event });
  }

  /** The next n execution reports are sent twice. */
  duplicateExecutionReports(n: number): void {
    this.duplicates = n;
  }

  /** The next n execution reports are held back, then sent in reverse order. */
  reorderExecutionReports(n: number): void {
    this.reorders = n;
  }

  /**
   * The next n execution reports are lost: never sent, as when the exchange's stream skips an
   * event (clients learn of it only through REST).
   */
  dropExecutionReports(n: number): void {
    this.drops = n;
  }

  /** Closes every user-data connection (clients must resubscribe); listen keys stay valid. */
  dropAll(): void {
    for (const s of [...this.spot]) s.ws.terminate();
    this.spot.length = 0;
    for (const ws of [...this.futures.keys()]) ws.terminate();
    this.futures.clear();
  }

  /** Clears the faults; held reports are sent at once, in order. */
  reset(): void {
    this.duplicates = 0;
    this.reorders = 0;
    this.drops = 0;
    const held = this.held;
    this.held = [];
    for (const h of held) this.deliver(h);
  }

  /** Closes every connection and forgets every key. */
  close(): void {
    this.dropAll();
    this.keys.clear();
    this.held = [];
  }

  private publish(h: Held): void {
    this.expireDue();
    const e = h.event['e'];
    const isReport = e === 'executionReport' || e === 'ORDER_TRADE_UPDATE';
    if (isReport && this.drops > 0) {
      this.drops--;
      return;
    }
    if (isReport && this.reorders > 0) {
      this.reorders--;
      this.held.push(h);
      if (this.reorders === 0) {
        const batch = this.held.reverse();
        this.held = [];
        for (const m of batch) this.deliver(m);
      }
      return;
    }
    this.deliver(h);
    if (isReport && this.duplicates > 0) {
      this.duplicates--;
      this.deliver(h);
    }
  }

  private deliver(h: Held): void {
    if (h.venue === 'spot') {
      for (const s of this.spot) send(s.ws, { subscriptionId: s.subscriptionId, event: h.event });
    } else for (const ws of this.futures.keys()) send(ws, h.event);
  }

  private expireDue(): void {
    const now = this.wallClock();
    for (const [key, k] of [...this.keys]) if (k.validUntil <= now) this.endKey(key, true);
  }

  private endKey(key: string, expired: boolean): void {
    this.keys.delete(key);
    for (const [ws, k] of [...this.futures]) {
      if (k !== key) continue;
      if (expired) send(ws, { e: 'listenKeyExpired', E: this.wallClock(), listenKey: key });
      ws.close();
      this.futures.delete(ws);
    }
  }
}

function send(ws: WebSocket, msg: unknown): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
}
