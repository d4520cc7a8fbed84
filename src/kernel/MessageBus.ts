/**
 * A topic whose messages have type T. Declaring topics as typed constants lets the bus
 * stay a plain synchronous dispatcher while publishers and subscribers agree on payloads.
 */
export interface Topic<T> {
  readonly name: string;
  /** Phantom field carrying the message type; never set. */
  readonly __type?: T;
}

export function topic<T>(name: string): Topic<T> {
  return { name };
}

export type Handler<T> = (message: T) => void;

/**
 * The subscribers of one topic on one bus. A publisher that publishes often (a feed, once
 * per bar) resolves it once with `channel` and publishes with `publishTo`, skipping the
 * lookup by topic name; the object stays valid as subscribers come and go.
 */
export interface Channel<T> {
  readonly handlers: readonly Handler<T>[];
}

interface MutableChannel {
  handlers: readonly Handler<never>[];
}

/**
 * In-process synchronous pub/sub. Delivery order is subscription order, and a publish
 * returns after every handler ran, which keeps backtests deterministic. Handler lists are
 * copied on change, never on publish, so the hot path is one array walk.
 */
export class MessageBus {
  private readonly channels = new Map<string, MutableChannel>();

  subscribe<T>(t: Topic<T>, handler: Handler<T>): () => void {
    const ch = this.mutableChannel(t);
    ch.handlers = [...ch.handlers, handler];
    return () => {
      ch.handlers = ch.handlers.filter((h) => h !== (handler as Handler<never>));
    };
  }

  publish<T>(t: Topic<T>, message: T): void {
    const ch = this.channels.get(t.name);
    if (ch !== undefined) this.publishTo(ch as Channel<T>, message);
  }

  /** The channel of topic `t` on this bus, for repeated `publishTo`. */
  channel<T>(t: Topic<T>): Channel<T> {
    return this.mutableChannel(t) as Channel<T>;
  }

  publishTo<T>(ch: Channel<T>, message: T): void {
    // The list in hand is the one at publish time: handlers added meanwhile wait for the next message.
    const list = ch.handlers;
    for (let i = 0; i < list.length; i++) (list[i] as Handler<T>)(message);
  }

  hasSubscribers<T>(t: Topic<T>): boolean {
    return (this.channels.get(t.name)?.handlers.length ?? 0) > 0;
  }

  private mutableChannel<T>(t: Topic<T>): MutableChannel {
    let ch = this.channels.get(t.name);
    if (ch === undefined) {
      ch = { handlers: [] };
      this.channels.set(t.name, ch);
    }
    return ch;
  }
}
