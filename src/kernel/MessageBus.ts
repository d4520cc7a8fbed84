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
 * In-process synchronous pub/sub. Delivery order is subscription order, and a publish
 * returns after every handler ran, which keeps backtests deterministic. Handler lists are
 * copied on change, never on publish, so the hot path is one array walk.
 */
export class MessageBus {
  private readonly handlers = new Map<string, Handler<never>[]>();

  subscribe<T>(t: Topic<T>, handler: Handler<T>): () => void {
    const list = [...(this.handlers.get(t.name) ?? []), handler as Handler<never>];
    this.handlers.set(t.name, list);
    return () => {
      const current = this.handlers.get(t.name) ?? [];
      this.handlers.set(
        t.name,
        current.filter((h) => h !== (handler as Handler<never>)),
      );
    };
  }

  publish<T>(t: Topic<T>, message: T): void {
    const list = this.handlers.get(t.name) as Handler<T>[] | undefined;
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) (list[i] as Handler<T>)(message);
  }

  hasSubscribers<T>(t: Topic<T>): boolean {
    return (this.handlers.get(t.name)?.length ?? 0) > 0;
  }
}
