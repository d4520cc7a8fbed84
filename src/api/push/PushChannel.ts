import type { Role } from '../auth/Identity.js';

/** Turns an event's data into JSON text; injectable so a test can count serializations. */
export type Serializer = (data: unknown) => string;

/** Where a channel delivers an event: the same bytes go to every subscriber. */
export interface Subscriber {
  deliver(payload: Buffer): void;
}

/** How a channel is declared by its source. */
export interface ChannelSpec {
  /** e.g. `orders`, `candles:BTC/USDT:1m`. */
  readonly name: string;
  /** Weakest role that may subscribe; viewer when omitted. */
  readonly role?: Role;
  /** Current state, sent to a new subscriber (and to a resuming one whose gap is not kept). */
  snapshot(): unknown;
  /**
   * Events kept for `resume`. A stream of facts (orders, fills, candles, log lines) keeps
   * some so a reconnecting client gets exactly what it missed; a state channel (equity,
   * positions) keeps none, since its next snapshot says everything.
   */
  readonly replayDepth?: number;
}

interface Retained {
  seq: number;
  data: unknown;
  /** Serialized lazily: nobody may have been listening when it was published. */
  payload: Buffer | undefined;
}

/**
 * One topic of the push server. Each published event gets the next sequence number of the
 * channel and is serialized once; the resulting Buffer is handed to every subscriber as is.
 */
export class PushChannel {
  readonly name: string;
  readonly role: Role;
  readonly replayDepth: number;
  private lastSeq = 0;
  private readonly subscribers = new Set<Subscriber>();
  private readonly ring: (Retained | undefined)[];
  private readonly prefix: string;
  /** Set while an event is being fanned out; events published meanwhile queue here. */
  private later: unknown[] | undefined;

  constructor(
    private readonly spec: ChannelSpec,
    private readonly serialize: Serializer = JSON.stringify,
  ) {
    this.name = spec.name;
    this.role = spec.role ?? 'viewer';
    this.replayDepth = Math.max(0, Math.floor(spec.replayDepth ?? 0));
    this.ring = new Array<Retained | undefined>(this.replayDepth);
    // The envelope around the data is the same for every event of the channel.
    this.prefix = `{"op":"event","channel":${JSON.stringify(this.name)},"seq":`;
  }

  /** Sequence number of the last event published (0 before the first). */
  get seq(): number {
    return this.lastSeq;
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  snapshot(): unknown {
    return this.spec.snapshot();
  }

  /** Publishes one event: serialized once, then the same bytes to every subscriber. */
  publish(data: unknown): void {
    if (this.later !== undefined) {
      // Published from inside a delivery (dropping a slow client logs, and the log is a
      // channel): it waits its turn, so every client sees the sequence in order.
      this.later.push(data);
      return;
    }
    this.later = [];
    try {
      this.fanOut(data);
      for (let i = 0; i < this.later.length; i++) this.fanOut(this.later[i]);
    } finally {
      this.later = undefined;
    }
  }

  private fanOut(data: unknown): void {
    const seq = ++this.lastSeq;
    const payload = this.subscribers.size > 0 ? this.encode(seq, data) : undefined;
    if (this.replayDepth > 0) this.ring[seq % this.replayDepth] = { seq, data, payload };
    if (payload === undefined) return;
    for (const s of this.subscribers) s.deliver(payload);
  }

  add(s: Subscriber): void {
    this.subscribers.add(s);
  }

  remove(s: Subscriber): void {
    this.subscribers.delete(s);
  }

  has(s: Subscriber): boolean {
    return this.subscribers.has(s);
  }

  /**
   * The events after `lastSeq`, oldest first, when every one of them is still kept;
   * undefined when some are gone (or `lastSeq` is not a sequence this channel reached).
   */
  replaySince(lastSeq: number): Buffer[] | undefined {
    if (!Number.isInteger(lastSeq) || lastSeq < 0 || lastSeq > this.lastSeq) return undefined;
    const missed = this.lastSeq - lastSeq;
    if (missed === 0) return [];
    if (missed > this.replayDepth) return undefined;
    const out: Buffer[] = [];
    for (let seq = lastSeq + 1; seq <= this.lastSeq; seq++) {
      const r = this.ring[seq % this.replayDepth];
      if (r === undefined || r.seq !== seq) return undefined;
      r.payload ??= this.encode(r.seq, r.data);
      out.push(r.payload);
    }
    return out;
  }

  private encode(seq: number, data: unknown): Buffer {
    return Buffer.from(`${this.prefix}${seq},"data":${this.serialize(data) ?? 'null'}}`);
  }
}
