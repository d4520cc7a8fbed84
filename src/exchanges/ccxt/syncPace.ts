/**
 * How often the REST sync looks an order up: `fast` every sync pass (live.syncIntervalMs),
 * `slow` once its last news is older than live.streamSyncIntervalMs.
 */
export const SyncPace = { FAST: 'fast', SLOW: 'slow' } as const;
export type SyncPace = (typeof SyncPace)[keyof typeof SyncPace];

/** What the client knows of an order when it decides whether to look it up (engine ms). */
export interface OrderSyncFacts {
  /** The submit's outcome is unknown (timeout, 5xx, dropped): the lookup is the safety net. */
  readonly unknown: boolean;
  /** When the exchange's view of the order first carried its order id; undefined: never seen. */
  readonly ackAt: number | undefined;
  /** When a REST answer about it (create, lookup, cancel, amend) was last applied. */
  readonly restAt: number | undefined;
  /** When a private stream last spoke of it (order update or trade). */
  readonly streamAt: number | undefined;
  /** A cancel was asked and the exchange has not shown the order ended yet. */
  readonly cancelPending?: boolean;
}

/**
 * The pace of one order. Slow only when the streams cover it: they are healthy and have
 * been since `healthySince`, the exchange acknowledged the order, and our view of it is at
 * least as recent as that moment, so every later change reaches us by stream. That holds
 * when a stream spoke of it since, or when it was acknowledged before and a REST answer
 * came since (the baseline the stream continues from). Everything else is fast: orders of
 * unknown outcome, orders the exchange has not acknowledged, and orders whose last stream
 * news predates the current subscription (a new order whose report the stream lost, or any
 * order after the streams came back from a failure, until one lookup re-establishes it), and
 * orders with a cancel asked that the exchange has not shown ended (each lookup that finds
 * one still open asks the cancel again).
 */
export function paceOf(o: OrderSyncFacts, healthySince: number | undefined): SyncPace {
  if (healthySince === undefined || o.unknown || o.ackAt === undefined || o.cancelPending === true)
    return SyncPace.FAST;
  if (o.streamAt !== undefined && o.streamAt >= healthySince) return SyncPace.SLOW;
  if (o.ackAt < healthySince && o.restAt !== undefined && o.restAt >= healthySince) return SyncPace.SLOW;
  return SyncPace.FAST;
}

/**
 * Whether a sync pass at `now` looks the order up: a fast one always, a slow one once its
 * latest news (REST answer or stream message) is `streamSyncIntervalMs` old — a net under
 * a stream that loses a report while its connection stays up.
 */
export function isRefreshDue(
  o: OrderSyncFacts,
  healthySince: number | undefined,
  now: number,
  streamSyncIntervalMs: number,
): boolean {
  if (paceOf(o, healthySince) === SyncPace.FAST) return true;
  const latest = Math.max(o.restAt ?? Number.NEGATIVE_INFINITY, o.streamAt ?? Number.NEGATIVE_INFINITY);
  return now - latest >= streamSyncIntervalMs;
}
