import type { Exchange } from 'ccxt';
import { toFixed } from '../../../src/core/Fixed.js';
import type { CcxtExecutionClientOptions } from '../../../src/exchanges/ccxt/CcxtExecutionClientOptions.js';
import { capabilitiesOf } from '../../../src/exchanges/ccxt/executionCapabilities.js';
import { RequestGate } from '../../../src/exchanges/ccxt/RequestGate.js';
import { TrackedOrders } from '../../../src/exchanges/ccxt/TrackedOrders.js';
import type { TrackedOrder } from '../../../src/exchanges/ccxt/TrackedOrders.js';
import { VenueOrderRequests } from '../../../src/exchanges/ccxt/VenueOrderRequests.js';
import { VenueOrderViews } from '../../../src/exchanges/ccxt/VenueOrderViews.js';
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

/** Execution client options for `exchange` as its capability map entry has them. */
function clientOptions(exchange: Exchange): CcxtExecutionClientOptions {
  const capabilities = capabilitiesOf(exchange.id);
  if (capabilities === undefined) throw new Error(`${exchange.id} not in the capability map`);
  return {
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
}

/**
 * One resting BTC/USDT buy of ours (`clientId`, `symbol` if another), with its exchange id
 * `venueOrderId` or, without it, of unknown outcome (its submit timed out).
 */
export function restingBuy(clientId: string, venueOrderId?: string, symbol = 'BTC/USDT'): TrackedOrder {
  const order = new Order(
    'Q000001',
    's1',
    {
      symbol,
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
  return {
    order,
    clientId,
    unknownSince: venueOrderId === undefined ? 0 : undefined,
    venueIds: venueOrderId === undefined ? [] : [venueOrderId],
  };
}

/**
 * Cancels one resting buy of ours (restingBuy) through the real VenueOrderRequests of
 * `exchange`; views and host are stubs that record what they are asked.
 */
export async function cancelThroughRequests(
  server: CaptureServer,
  exchange: Exchange,
  clientId: string,
  venueOrderId?: string,
  symbol?: string,
): Promise<CancelRun> {
  const opts = clientOptions(exchange);
  const t = restingBuy(clientId, venueOrderId, symbol);
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

/** What one lookup through VenueOrderViews did. */
export interface RefreshRun {
  readonly requests: CapturedRequest[];
  /** Orders of unknown outcome the lookup resolved (their OMS ids). */
  readonly resolved: string[];
  /** Errors the lookup classified. */
  readonly problems: string[];
}

/** Looks `t` up once through the real VenueOrderViews of `exchange` (the sync's lookup). */
export async function refreshThroughViews(
  server: CaptureServer,
  exchange: Exchange,
  t: TrackedOrder,
): Promise<RefreshRun> {
  const resolved: string[] = [];
  const opts = { ...clientOptions(exchange), onResolved: (id: string) => resolved.push(id) };
  const problems: string[] = [];
  const views = new VenueOrderViews(
    opts,
    new TrackedOrders(
      (id) => `qts${id}`,
      (o) => opts.capabilities.clientIds.read(o),
    ),
    {
      report: () => undefined,
      spawn: () => undefined,
      classify: (e, what) => {
        problems.push(`${what}: ${String(e)}`);
        return { kind: 'unknown', code: 'ERR_TEST', message: String(e) };
      },
      cancelNow: () => Promise.resolve(),
      notFound: () => undefined,
    },
  );
  const from = server.requests.length;
  await views.refresh(t);
  return { requests: server.since(from), resolved, problems };
}
