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
import { CaptureServer } from './CaptureServer.js';
import type { CapturedRequest } from './CaptureServer.js';
import { cancelThroughRequests } from './cancelThroughRequests.js';
import { capabilitiesOf } from '../../../src/exchanges/ccxt/executionCapabilities.js';
import { fixtureResponder, loadFixture, pointCcxtAt } from './pointCcxtAt.js';

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

/**
 * A cancel's query: only what Gate's cancel takes (currency_pair, account, action_mode), no
 * stray params ccxt would pass on from ours.
 * https://www.gate.io/docs/developers/apiv4/#cancel-a-single-order
 */
const queryOf = (r: CapturedRequest | undefined): Record<string, string> =>
  Object.fromEntries(new URLSearchParams(r?.query ?? ''));

/** One cancel through VenueOrderRequests (cancelThroughRequests); its DELETE requests. */
async function cancelOnce(server: CaptureServer, exchange: Exchange, venueOrderId?: string) {
  const run = await cancelThroughRequests(server, exchange, CLIENT_ID, venueOrderId);
  return { ...run, cancels: run.requests.filter((r) => r.method === 'DELETE') };
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
    expect(queryOf(cancels[0])).toEqual({ account: 'spot', currency_pair: 'BTC_USDT' });
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
    expect(queryOf(cancels[0])).toEqual({ account: 'spot', currency_pair: 'BTC_USDT' });
    expect(problems).toEqual([]);
    expect(applied).toHaveLength(1);
  });
});

/**
 * A prefix starting with "t" (say "trend": our ids "trendQ…"): ccxt adds Gate's "t-" only to an
 * id that does not already start with "t", so it would send "trendQ000001" as the user id, which
 * Gate refuses (it must start with "t-"), and look up /orders/trendQ000001, which names nothing.
 * https://www.gate.io/docs/developers/apiv4/#create-an-order ("text" must start with "t-")
 */
describe('Gate user ids of a prefix starting with "t"', () => {
  const OURS = 'trendQ000001';

  it('sends, looks up and reads back "t-" + our id', async () => {
    const fx = loadFixture('gate');
    const created = fx.responses.find((r) => r.method === 'POST' && r.path === '/api/v4/spot/orders');
    if (created === undefined) throw new Error('gate fixture has no create answer');
    const asSent = { ...(created.body as Record<string, unknown>), text: `t-${OURS}` };
    const server = await CaptureServer.start();
    server.respond((r) => {
      if (r.method === 'GET' && r.path === '/api/v4/account/detail') return fixtureResponder(fx)(r);
      // Gate knows the order by the user id it took, "t-" + ours.
      if (r.path === '/api/v4/spot/orders' || r.path === `${CANCEL_PATH}t-${OURS}`) return { body: asSent };
      return undefined;
    });
    const exchange = new ccxt.gate({ apiKey: 'capture-key', secret: 'capture-secret' });
    try {
      pointCcxtAt(exchange, server.url, fx);
      const codec = capabilitiesOf('gate')?.clientIds;
      if (codec === undefined) throw new Error('gate not in the capability map');
      const o = await exchange.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 30000, codec.create(OURS));
      const post = server.requests.find((r) => r.method === 'POST');
      expect((JSON.parse(post?.body ?? '{}') as Record<string, unknown>)['text']).toBe(`t-${OURS}`);
      expect(codec.read(o)).toBe(OURS);
      const from = server.requests.length;
      const found = await codec.fetch(exchange, 'BTC/USDT', OURS);
      expect(server.since(from).map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${CANCEL_PATH}t-${OURS}`]);
      expect(codec.read(found)).toBe(OURS);
    } finally {
      await exchange.close();
      await server.close();
    }
  });
});
