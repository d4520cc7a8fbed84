/**
 * A cancel of an order whose exchange id we never learned (its submit timed out: outcome
 * unknown) must still name the order in a way the exchange accepts. An unmodified ccxt `gate`
 * talks HTTP to a capture server; the request path shows which order the cancel names. Gate's
 * cancel takes the order id in the path and accepts the user's custom id ("t-" + text) in its
 * place; ccxt's gate.cancelOrder sends only the `id` argument there.
 * https://www.gate.io/docs/developers/apiv4/#cancel-a-single-order (order_id: "Order ID
 * returned, or user custom ID (i.e., text field)")
 */
import ccxt from 'ccxt';
import type { Exchange } from 'ccxt';
import { afterEach, describe, expect, it } from 'vitest';
import { toFixed } from '../../../src/core/Fixed.js';
import { capabilitiesOf } from '../../../src/exchanges/ccxt/executionCapabilities.js';
import type { CcxtExecutionClientOptions } from '../../../src/exchanges/ccxt/CcxtExecutionClientOptions.js';
import { RequestGate } from '../../../src/exchanges/ccxt/RequestGate.js';
import { TrackedOrders } from '../../../src/exchanges/ccxt/TrackedOrders.js';
import type { TrackedOrder } from '../../../src/exchanges/ccxt/TrackedOrders.js';
import { VenueOrderRequests } from '../../../src/exchanges/ccxt/VenueOrderRequests.js';
import type { VenueOrderViews } from '../../../src/exchanges/ccxt/VenueOrderViews.js';
import { Order } from '../../../src/model/Order.js';
import { CaptureServer } from './CaptureServer.js';
import { loadFixture, pointCcxtAt } from './pointCcxtAt.js';

const CLIENT_ID = 'qtsQ000001';
const VENUE_ID = '12332324';
const CANCEL_PATH = '/api/v4/spot/orders/';

/** A Gate capture server answering any spot cancel with the recorded cancel answer. */
async function gateCancels() {
  const fx = loadFixture('gate');
  const answer = fx.responses.find((r) => r.method === 'DELETE' && r.path === `${CANCEL_PATH}${VENUE_ID}`);
  if (answer === undefined) throw new Error('gate fixture has no cancel answer');
  const server = await CaptureServer.start();
  server.respond((r) => {
    if (r.method === 'DELETE' && r.path.startsWith(CANCEL_PATH) && r.path.length > CANCEL_PATH.length)
      return { body: answer.body };
    return undefined;
  });
  const exchange = new ccxt.gate({ apiKey: 'capture-key', secret: 'capture-secret' });
  pointCcxtAt(exchange, server.url, fx);
  return { server, exchange };
}

/** Cancels one order through VenueOrderRequests; returns the cancel requests the server saw. */
async function cancelOnce(server: CaptureServer, exchange: Exchange, venueOrderId?: string) {
  const capabilities = capabilitiesOf('gate');
  if (capabilities === undefined) throw new Error('gate not in the capability map');
  const opts: CcxtExecutionClientOptions = {
    exchange,
    capabilities,
    clientIdPrefix: 'qts',
    gate: new RequestGate({
      now: Date.now,
      sleep: () => Promise.resolve(),
      maxOrders: 50,
      windowMs: 10_000,
    }),
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
    clientId: CLIENT_ID,
    unknownSince: venueOrderId === undefined ? 0 : undefined,
    venueIds: venueOrderId === undefined ? [] : [venueOrderId],
  };
  const applied: unknown[] = [];
  const views = {
    apply: (_t: TrackedOrder, o: unknown) => {
      applied.push(o);
      return Promise.resolve();
    },
    refresh: () => Promise.resolve(),
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
  const cancels = server.since(from).filter((r) => r.method === 'DELETE');
  return { cancels, applied, problems };
}

describe('Gate cancel of our order', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('names an order of unknown exchange id by our custom id ("t-" + ours)', async () => {
    const { server, exchange } = await gateCancels();
    close = async () => {
      await exchange.close();
      await server.close();
    };
    const { cancels, applied, problems } = await cancelOnce(server, exchange);
    expect(cancels.map((r) => r.path)).toEqual([`${CANCEL_PATH}t-${CLIENT_ID}`]);
    expect(new URLSearchParams(cancels[0]?.query).get('currency_pair')).toBe('BTC_USDT');
    expect(problems).toEqual([]);
    // The exchange's answer (filled 0, cancelled) is applied as a view of the order.
    expect(applied).toHaveLength(1);
  });

  it('names an order of known exchange id by that id', async () => {
    const { server, exchange } = await gateCancels();
    close = async () => {
      await exchange.close();
      await server.close();
    };
    const { cancels, applied, problems } = await cancelOnce(server, exchange, VENUE_ID);
    expect(cancels.map((r) => r.path)).toEqual([`${CANCEL_PATH}${VENUE_ID}`]);
    expect(problems).toEqual([]);
    expect(applied).toHaveLength(1);
  });
});
