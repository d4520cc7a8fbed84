import type { Exchange } from 'ccxt';

/** What of ccxt's WebSocket client (ccxt/js/src/base/ws/Client.js) the drain uses. */
interface ThrottledClient {
  readonly throttle?: (cost: number) => Promise<unknown>;
}

/** Longest a close waits for queued subscription messages to leave. */
const DRAIN_MS = 1000;

/**
 * Closes a ccxt instance's connections once the stream subscriptions it has queued are sent.
 * ccxt puts a watch's subscription message behind its rate limiter and sends it without a
 * catch (Exchange.watch: `client.throttle(cost).then(() => { client.send(message) })`): when
 * the socket closes first, that send rejects where nothing handles it, an unhandled rejection
 * that ends a strict process (and fails a test run). The limiter is first in, first out, so a
 * zero-cost turn of our own comes after every message queued before it: awaiting it lets them
 * out on the still-open sockets. Bounded, so a stop never hangs on a slow limiter.
 */
export async function closeExchange(ex: Exchange): Promise<void> {
  const clients = (ex as { clients?: Record<string, ThrottledClient | undefined> }).clients ?? {};
  const turns: Promise<unknown>[] = [];
  for (const c of Object.values(clients)) if (c?.throttle !== undefined) turns.push(c.throttle(0));
  if (turns.length > 0) {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, DRAIN_MS)));
    await Promise.race([Promise.allSettled(turns), bound]);
    clearTimeout(timer);
  }
  await ex.close();
}
