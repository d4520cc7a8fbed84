import type { PushClient } from './PushClient.js';

/** Counters of a running push server, for health and tests. */
export interface PushStats {
  readonly clients: number;
  readonly authenticated: number;
  readonly subscriptions: number;
  readonly connections: number;
  readonly droppedSlow: number;
  readonly droppedHeartbeat: number;
  readonly authFailures: number;
  readonly rejectedFull: number;
  readonly badMessages: number;
  /** Most bytes any client ever had waiting after a send (bounded by maxBufferedBytes + one message). */
  readonly peakBuffered: number;
}

/**
 * The running totals behind `PushStats`, shared by the server and its helpers: they outlive
 * the clients they count, so a dropped client's peak buffer is folded in here as it goes.
 */
export interface PushCounters {
  connections: number;
  droppedSlow: number;
  droppedHeartbeat: number;
  authFailures: number;
  rejectedFull: number;
  badMessages: number;
  peakBuffered: number;
}

/** Fresh totals for a server that has not yet seen a connection. */
export function newPushCounters(): PushCounters {
  return {
    connections: 0,
    droppedSlow: 0,
    droppedHeartbeat: 0,
    authFailures: 0,
    rejectedFull: 0,
    badMessages: 0,
    peakBuffered: 0,
  };
}

/**
 * The totals plus what only the connected clients can tell (who is authenticated, how many
 * subscriptions, the peak buffer of those still connected); computed on demand, since health
 * checks are rare and fan-out is not.
 */
export function pushStats(counters: PushCounters, clients: ReadonlySet<PushClient>): PushStats {
  let authenticated = 0;
  let subscriptions = 0;
  let peak = counters.peakBuffered;
  for (const c of clients) {
    if (c.identity !== undefined) authenticated++;
    subscriptions += c.channels.size;
    if (c.peakBuffered > peak) peak = c.peakBuffered;
  }
  return { ...counters, clients: clients.size, authenticated, subscriptions, peakBuffered: peak };
}
