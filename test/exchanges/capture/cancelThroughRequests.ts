import type { Exchange } from 'ccxt';
import { toFixed } from '../../../src/core/Fixed.js';
import type { CcxtExecutionClientOptions } from '../../../src/exchanges/ccxt/CcxtExecutionClientOptions.js';
import { capabilitiesOf } from '../../../src/exchanges/ccxt/executionCapabilities.js';
import { RequestGate } from '../../../src/exchanges/ccxt/RequestGate.js';
import { TrackedOrders } from '../../../src/exchanges/ccxt/TrackedOrders.js';
import type { TrackedOrder } from '../../../src/exchanges/ccxt/TrackedOrders.js';
import { VenueOrderRequests } from '../../../src/exchanges/ccxt/VenueOrderRequests.js';
import type { VenueOrderViews } from '../../../src/exchanges/ccxt/VenueOrderViews.js';
import { Order } from '../../../src/model/Order.js';
import type { CaptureServer, CapturedRequest } from './CaptureServer.js';

/** What one cancel through VenueOrderRequests did: the requests the server saw, and what came back. */
export interface CancelRun {
  readonly requests: CapturedRequest[];
  /** Exchange answers applied as views of the order. */
  readonly applied: unknown[];
  /** Refreshes asked of the order's views (an answer that did not say what filled). */
  readonly refreshed: number;
  /** Errors the cancel classified. */
  readonly problems: string[];
}

/**
 * Cancels one resting BTC/USDT buy of ours (`clientId`) through the real VenueOrderRequests of
 * exchange `exchangeId`, with its exchange id `venueOrderId` or, without it, of unknown outcome
 * (its submit timed out); views and host are stubs that record what they are asked.
 */
export async function cancelThroughRequests(
  server: CaptureServer,
  exchange: Exchange,
  clientId: string,
  venueOrderId?: string,
): Promise<CancelRun> {
  const capabilities = capabilitiesOf(exchange.id);
  if (capabilities === undefined) throw new Error(`${exchange.id} not in the capability map`);
  const opts: CcxtExecutionClientOptions = {
    exchange,
    capabilities,
    clientIdPrefix: 'qts',
    gate: new RequestGate({ now: Date.now, sleep: () => Promise.resolve(), maxOrders: 50, windowMs: 10_000 }),
    now: Date.now,
    resolveWithinMs: 60_000,
    onReportFault: (e) => {
      throw e;
    },
  };
  const order = new Order(
    'Q000001',
    's1',
    {
      symbol: 'BTC/USDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: toFixed('0.01'),
      price: toFixed('30000'),
      timeInForce: 'GTC',
      postOnly: false,
      reduceOnly: false,
    },
    0,
  );
  order.venueOrderId = venueOrderId;
  const t: TrackedOrder = {
    order,
    clientId,
    unknownSince: venueOrderId === undefined ? 0 : undefined,
    venueIds: venueOrderId === undefined ? [] : [venueOrderId],
  };
  const applied: unknown[] = [];
  let refreshed = 0;
  const views = {
    apply: (_t: TrackedOrder, o: unknown) => {
      applied.push(o);
      return Promise.resolve();
    },
    refresh: () => {
      refreshed++;
      return Promise.resolve();
    },
  } as unknown as VenueOrderViews;
  const problems: string[] = [];
  const requests = new VenueOrderRequests(
    opts,
    new TrackedOrders(
      (id) => `qts${id}`,
      () => undefined,
    ),
    views,
    {
      report: () => undefined,
      classify: (e, what) => {
        problems.push(`${what}: ${String(e)}`);
        return { kind: 'unknown', code: 'ERR_TEST', message: String(e) };
      },
    },
  );
  const from = server.requests.length;
  await requests.cancel(t);
  return { requests: server.since(from), applied, refreshed, problems };
}
