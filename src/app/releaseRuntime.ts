import type { FastifyInstance } from 'fastify';
import type { EquityHistory } from '../api/engine/EquityHistory.js';
import { closeExchange } from '../exchanges/ccxt/closeExchange.js';
import type { LiveClock } from '../kernel/LiveClock.js';
import type { TradingNode } from '../node/TradingNode.js';
import type { RuntimeStores } from './openRuntimeStorage.js';
import { failureMessage } from './releaseUnbuilt.js';
import type { RuntimeVenue } from './RuntimeVenue.js';
import type { MarketDataChoice } from './selectMarketData.js';
import type { RunningService } from './services/ServiceContext.js';
import { stopServices } from './services/index.js';

/** What a built runtime holds and must let go of when it stops. */
export interface RuntimeParts {
  readonly services: readonly RunningService[];
  readonly market: MarketDataChoice;
  readonly node: TradingNode;
  readonly venue: RuntimeVenue;
  readonly clock: LiveClock;
  readonly stores: RuntimeStores;
  readonly runId: string;
  /** The API server, when it was started. */
  readonly http: FastifyInstance | undefined;
  readonly equityHistory: EquityHistory;
  /** Closes the database and releases its lock (last: the run's record is written before). */
  readonly closeStorage: () => void;
}

/**
 * Stops a built runtime: the side services that watch it, then market data, the strategies and
 * the venue, so the account is snapshotted once nothing changes it any more; then the run is
 * recorded as ended (FAILED: a start that did not complete) and the database closed last.
 */
export async function releaseRuntime(
  parts: RuntimeParts,
  status: 'STOPPED' | 'FAILED',
  error?: unknown,
): Promise<void> {
  const { market, node, venue, clock, stores, runId } = parts;
  // After a failed start the rest is released whatever one part says.
  const settle = (p: Promise<void>): Promise<void> => (status === 'FAILED' ? p.catch(() => undefined) : p);
  await stopServices(parts.services);
  await settle(market.feed.stop());
  node.stop();
  await settle(venue.stop());
  clock.dispose();
  // A failed start keeps the last snapshot: every fill saved one, and a reconciliation that
  // failed halfway must not be kept as the account.
  try {
    if (status === 'STOPPED') stores.ledger.save(runId, clock.now(), node.portfolio);
    stores.runs.finish(runId, {
      stoppedAt: clock.now(),
      status,
      ...(error === undefined ? {} : { error: failureMessage(error) }),
    });
  } finally {
    // A record that cannot be written is reported by the rejection, but never keeps the API
    // listening and the database locked: the process must still be able to exit.
    await parts.http?.close();
    const md = market.exchange;
    if (md !== undefined) await closeExchange(md).catch(() => undefined);
    parts.equityHistory.flush();
    parts.closeStorage();
  }
}
