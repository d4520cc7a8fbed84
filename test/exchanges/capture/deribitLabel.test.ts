/**
 * Deribit carries our client id as the order's `label`. An order whose exchange id we never
 * learned (its submit timed out: outcome unknown) must be looked up and canceled by it, as on
 * the other exchanges. An unmodified ccxt `deribit` talks HTTP to a capture server; the request
 * path and query show which order a lookup or cancel names. Answers in Deribit's documented
 * shapes (the recorded order of test/fixtures/exchanges/deribit.json, labelled ours).
 * https://docs.deribit.com/api-reference/trading/private-get_order_state_by_label
 * https://docs.deribit.com/api-reference/trading/private-cancel_by_label
 */
import ccxt from 'ccxt';
import { afterEach, describe, expect, it } from 'vitest';
import { capabilitiesOf } from '../../../src/exchanges/ccxt/executionCapabilities.js';
import type { ClientIdCodec } from '../../../src/exchanges/ccxt/clientIdQuirks.js';
import { CaptureServer } from './CaptureServer.js';
import type { CapturedRequest } from './CaptureServer.js';
import { cancelThroughRequests, refreshThroughViews, restingBuy } from './cancelThroughRequests.js';
import { fixtureResponder, loadFixture, pointCcxtAt } from './pointCcxtAt.js';

const CLIENT_ID = 'qtsQ000001';
const VENUE_ID = 'BTC_USDC-1234';
const SYMBOL = 'BTC/USDC';
const API = '/api/v2/private/';

function codec(): ClientIdCodec {
  const c = capabilitiesOf('deribit')?.clientIds;
  if (c === undefined) throw new Error('deribit not in the capability map');
  return c;
}

interface Book {
  /** The currency whose queue holds our order (undefined: no order with our label). */
  readonly filedUnder?: string;
  /** Open orders with our label, as cancel_by_label counts them. */
  readonly open: number;
}

/** A Deribit capture server holding our labelled order as `book` says. */
async function deribit(book: Book) {
  const fx = loadFixture('deribit');
  const recorded = fx.responses.find((r) => r.path === `${API}get_order_state`);
  if (recorded === undefined) throw new Error('deribit fixture has no get_order_state answer');
  const answer = recorded.body as { result: Record<string, unknown> };
  const ours = { ...answer.result, label: CLIENT_ID, order_state: 'open', filled_amount: 0 };
  const server = await CaptureServer.start();
  const fromFixture = fixtureResponder(fx);
  server.respond((r) => {
    const q = new URLSearchParams(r.query);
    if (r.path === `${API}get_order_state_by_label`)
      return { body: { ...answer, result: q.get('currency') === book.filedUnder ? [ours] : [] } };
    if (r.path === `${API}cancel_by_label`) return { body: { jsonrpc: '2.0', result: book.open } };
    return fromFixture(r);
  });
  const exchange = new ccxt.deribit({ apiKey: 'capture-key', secret: 'capture-secret' });
  pointCcxtAt(exchange, server.url, fx);
  return { server, exchange };
}

const asked = (requests: CapturedRequest[]) => requests.map((r) => `${r.path.slice(API.length)}?${r.query}`);

describe('Deribit orders named by our label', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });
  async function start(book: Book) {
    const d = await deribit(book);
    close = async () => {
      await d.exchange.close();
      await d.server.close();
    };
    return d;
  }

  it('looks an order of unknown exchange id up by label', async () => {
    const { server, exchange } = await start({ filedUnder: 'USDC', open: 1 });
    const from = server.requests.length;
    const o = await codec().fetch(exchange, SYMBOL, CLIENT_ID);
    expect(asked(server.since(from))).toEqual([`get_order_state_by_label?currency=USDC&label=${CLIENT_ID}`]);
    expect(o.id).toBe(VENUE_ID);
    expect(o.symbol).toBe(SYMBOL);
    expect(o.status).toBe('open');
    expect(codec().read(o)).toBe(CLIENT_ID);
  });

  it("asks the pair's base currency when its quote currency has no such order", async () => {
    const { server, exchange } = await start({ filedUnder: 'BTC', open: 1 });
    const from = server.requests.length;
    const o = await codec().fetch(exchange, SYMBOL, CLIENT_ID);
    expect(asked(server.since(from)).map((q) => q.split('&')[0])).toEqual([
      'get_order_state_by_label?currency=USDC',
      'get_order_state_by_label?currency=BTC',
    ]);
    expect(o.id).toBe(VENUE_ID);
  });

  it('says not found when no currency has an order with our label', async () => {
    const { exchange } = await start({ open: 0 });
    await expect(codec().fetch(exchange, SYMBOL, CLIENT_ID)).rejects.toBeInstanceOf(ccxt.OrderNotFound);
  });

  it("resolves an order of unknown outcome at the sync's lookup", async () => {
    const { server, exchange } = await start({ filedUnder: 'USDC', open: 1 });
    const t = restingBuy(CLIENT_ID, undefined, SYMBOL);
    const { requests, resolved, problems } = await refreshThroughViews(server, exchange, t);
    expect(asked(requests)).toEqual([`get_order_state_by_label?currency=USDC&label=${CLIENT_ID}`]);
    expect(problems).toEqual([]);
    expect(resolved).toEqual(['Q000001']);
    expect(t.unknownSince).toBeUndefined();
    expect(t.venueIds).toEqual([VENUE_ID]);
  });

  it('looks an acknowledged order up by its exchange id', async () => {
    const { server, exchange } = await start({ filedUnder: 'USDC', open: 1 });
    const t = restingBuy(CLIENT_ID, VENUE_ID, SYMBOL);
    const { requests } = await refreshThroughViews(server, exchange, t);
    // (The recorded order is filled: its trades are asked next.)
    expect(asked(requests)[0]).toBe(`get_order_state?order_id=${VENUE_ID}`);
    expect(requests.filter((r) => r.path.endsWith('_by_label'))).toEqual([]);
  });

  it('cancels an order of unknown exchange id by label, then looks it up', async () => {
    const { server, exchange } = await start({ filedUnder: 'USDC', open: 1 });
    const { requests, refreshed, problems } = await cancelThroughRequests(
      server,
      exchange,
      CLIENT_ID,
      undefined,
      SYMBOL,
    );
    expect(asked(requests)).toEqual([`cancel_by_label?label=${CLIENT_ID}`]);
    expect(problems).toEqual([]);
    // cancel_by_label answers a count, not the order: its end comes from a lookup.
    expect(refreshed).toBe(1);
  });

  it('reports a cancel by label that found no open order, and looks the order up', async () => {
    const { server, exchange } = await start({ open: 0 });
    const run = await cancelThroughRequests(server, exchange, CLIENT_ID, undefined, SYMBOL);
    expect(asked(run.requests)).toEqual([`cancel_by_label?label=${CLIENT_ID}`]);
    expect(run.problems).toHaveLength(1);
    expect(run.problems[0]).toMatch(/^cancelOrder: OrderNotFound: deribit has no open order labelled/);
    expect(run.refreshed).toBe(1);
  });

  it('cancels an order of known exchange id by that id', async () => {
    const { server, exchange } = await start({ filedUnder: 'USDC', open: 1 });
    const run = await cancelThroughRequests(server, exchange, CLIENT_ID, VENUE_ID, SYMBOL);
    expect(asked(run.requests)).toEqual([`cancel?order_id=${VENUE_ID}`]);
    expect(run.problems).toEqual([]);
    // The recorded cancel answer is the order itself, with its filled amount: applied as a view.
    expect(run.applied).toHaveLength(1);
  });
});
