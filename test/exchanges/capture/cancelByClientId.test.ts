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
import { cancelThroughRequests } from './cancelThroughRequests.js';
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
