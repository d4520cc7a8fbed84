/**
 * Bybit carries our client id as `orderLinkId`. An order whose exchange id we never learned
 * (its submit timed out: outcome unknown) must be canceled and looked up by it. An unmodified
 * ccxt `bybit` talks HTTP to a capture server; the request body/query shows which order a
 * cancel or a lookup names. Bybit's cancel and its order query each take orderId or
 * orderLinkId; an empty orderId names no order.
 * https://bybit-exchange.github.io/docs/v5/order/cancel-order
 * https://bybit-exchange.github.io/docs/v5/order/open-order (GET /v5/order/realtime)
 * https://bybit-exchange.github.io/docs/v5/order/order-list (GET /v5/order/history)
 */
import ccxt from 'ccxt';
import type { Exchange } from 'ccxt';
import { afterEach, describe, expect, it } from 'vitest';
import { capabilitiesOf } from '../../../src/exchanges/ccxt/executionCapabilities.js';
import type { ExecutionCapabilities } from '../../../src/exchanges/ccxt/executionCapabilities.js';
import { CaptureServer } from './CaptureServer.js';
import { cancelThroughRequests } from './cancelThroughRequests.js';
import type { CapturedRequest } from './CaptureServer.js';
import { fixtureResponder, loadFixture, pointCcxtAt } from './pointCcxtAt.js';
import type { ExchangeFixture } from './pointCcxtAt.js';

/** The order of the recorded answers: exchange id and our id (orderLinkId). */
const VENUE_ID = '1321003749386327552';
const CLIENT_ID = 'ours1';

function bybitCapabilities(): ExecutionCapabilities {
  const c = capabilitiesOf('bybit');
  if (c === undefined) throw new Error('bybit not in the capability map');
  return c;
}

function recorded(fx: ExchangeFixture, method: string, path: string): unknown {
  const r = fx.responses.find((x) => x.method === method && x.path === path);
  if (r === undefined) throw new Error(`bybit fixture has no answer to ${method} ${path}`);
  return r.body;
}

/** The recorded realtime answer with its order list replaced (empty: Bybit has no such order there). */
function withList(body: unknown, list: unknown[]): unknown {
  const b = body as { result: Record<string, unknown> };
  return { ...b, result: { ...b.result, list } };
}

/** Our linear perpetual: the recorded spot market as Bybit's USDT perpetual of the same id. */
const LINEAR = 'BTC/USDT:USDT';

/** The fixture's markets plus the linear perpetual BTCUSDT (category=linear). */
function withLinear(fx: ExchangeFixture): ExchangeFixture {
  const spot = fx.markets['BTC/USDT'];
  if (spot === undefined) throw new Error('bybit fixture has no BTC/USDT');
  const linear = {
    ...spot,
    symbol: LINEAR,
    settle: 'USDT',
    settleId: 'USDT',
    type: 'swap',
    spot: false,
    swap: true,
    contract: true,
    linear: true,
    inverse: false,
    contractSize: 1,
  } as const;
  return { ...fx, markets: { ...fx.markets, [LINEAR]: linear } };
}

/** The recorded account answers turned into a classic (non-unified) account's. */
function classicAccount(fx: ExchangeFixture, path: string): unknown {
  const b = recorded(fx, 'GET', path) as { result: Record<string, unknown> };
  if (path === '/v5/user/query-api') return { ...b, result: { ...b.result, unified: 0, uta: 0 } };
  return { ...b, result: { ...b.result, unifiedMarginStatus: 1 } };
}

/**
 * A Bybit capture server answering from the recorded fixture (markets: spot BTC/USDT and the
 * linear perpetual); `realtimeHas` false answers the real-time query with no order,
 * `historyHas` true answers the history with the recorded order, `classic` answers the
 * account queries as a classic account's.
 */
async function bybit(opts: { realtimeHas?: boolean; historyHas?: boolean; classic?: boolean } = {}) {
  const fx = withLinear(loadFixture('bybit'));
  const realtime = recorded(fx, 'GET', '/v5/order/realtime');
  const order = (realtime as { result: { list: unknown[] } }).result.list;
  const history = recorded(fx, 'GET', '/v5/order/history');
  const server = await CaptureServer.start();
  const fromFixture = fixtureResponder(fx);
  server.respond((r) => {
    if (r.method === 'GET' && r.path === '/v5/order/realtime')
      return { body: opts.realtimeHas === false ? withList(realtime, []) : realtime };
    if (r.method === 'GET' && r.path === '/v5/order/history')
      return { body: opts.historyHas === true ? withList(history, order) : history };
    if (opts.classic === true && (r.path === '/v5/user/query-api' || r.path === '/v5/account/info'))
      return { body: classicAccount(fx, r.path) };
    return fromFixture(r);
  });
  const exchange = new ccxt.bybit({ apiKey: 'capture-key', secret: 'capture-secret' });
  pointCcxtAt(exchange, server.url, fx);
  return { server, exchange };
}

/** One cancel through VenueOrderRequests (cancelThroughRequests); its cancel requests. */
async function cancelOnce(server: CaptureServer, exchange: Exchange, venueOrderId?: string) {
  const run = await cancelThroughRequests(server, exchange, CLIENT_ID, venueOrderId);
  return {
    ...run,
    cancels: run.requests.filter((r) => r.method === 'POST' && r.path === '/v5/order/cancel'),
  };
}

const body = (r: CapturedRequest | undefined): Record<string, unknown> =>
  JSON.parse(r?.body ?? '{}') as Record<string, unknown>;
const query = (r: CapturedRequest): Record<string, string> =>
  Object.fromEntries(new URLSearchParams(r.query));

describe('Bybit orders named by our orderLinkId', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });
  async function start(opts?: { realtimeHas?: boolean; historyHas?: boolean; classic?: boolean }) {
    const b = await bybit(opts);
    close = async () => {
      await b.exchange.close();
      await b.server.close();
    };
    return b;
  }

  it('cancels an order of unknown exchange id by orderLinkId, with no orderId', async () => {
    const { server, exchange } = await start();
    const { cancels, refreshed, problems } = await cancelOnce(server, exchange);
    expect(cancels).toHaveLength(1);
    const sent = body(cancels[0]);
    expect(sent['orderLinkId']).toBe(CLIENT_ID);
    expect(sent).not.toHaveProperty('orderId');
    expect(sent).toMatchObject({ category: 'spot', symbol: 'BTCUSDT' });
    expect(problems).toEqual([]);
    // Bybit acknowledges a cancel with ids only: the order is looked up for its end.
    expect(refreshed).toBe(1);
  });

  it('cancels an order of known exchange id by that id', async () => {
    const { server, exchange } = await start();
    const { cancels, problems } = await cancelOnce(server, exchange, VENUE_ID);
    expect(cancels).toHaveLength(1);
    expect(body(cancels[0])['orderId']).toBe(VENUE_ID);
    expect(problems).toEqual([]);
  });

  it('looks an order up by orderLinkId on the real-time query', async () => {
    const { server, exchange } = await start();
    const from = server.requests.length;
    const o = await bybitCapabilities().clientIds.fetch(exchange, 'BTC/USDT', CLIENT_ID);
    const asked = server.since(from).filter((r) => r.path.startsWith('/v5/order/'));
    expect(asked.map((r) => r.path)).toEqual(['/v5/order/realtime']);
    const q = query(asked[0] as CapturedRequest);
    expect(q).toMatchObject({ category: 'spot', symbol: 'BTCUSDT', orderLinkId: CLIENT_ID });
    expect(q).not.toHaveProperty('orderId');
    expect(q).not.toHaveProperty('acknowledged');
    expect(o.id).toBe(VENUE_ID);
    expect(bybitCapabilities().clientIds.read(o)).toBe(CLIENT_ID);
    expect(o.status).toBe('closed');
  });

  it('finds an order gone from the real-time query in the order history', async () => {
    const { server, exchange } = await start({ realtimeHas: false, historyHas: true });
    const from = server.requests.length;
    const o = await bybitCapabilities().clientIds.fetch(exchange, 'BTC/USDT', CLIENT_ID);
    const asked = server.since(from).filter((r) => r.path.startsWith('/v5/order/'));
    expect(asked.map((r) => r.path)).toEqual(['/v5/order/realtime', '/v5/order/history']);
    expect(query(asked[1] as CapturedRequest)).toMatchObject({ orderLinkId: CLIENT_ID, symbol: 'BTCUSDT' });
    expect(o.id).toBe(VENUE_ID);
  });

  it('rejects with OrderNotFound when neither query has the order', async () => {
    const { exchange } = await start({ realtimeHas: false });
    await expect(bybitCapabilities().clientIds.fetch(exchange, 'BTC/USDT', CLIENT_ID)).rejects.toBeInstanceOf(
      ccxt.OrderNotFound,
    );
  });
  // The same id (BTCUSDT) names the spot pair and the perpetual: only `category` tells which.
  it.each([
    ['BTC/USDT', 'spot'],
    [LINEAR, 'linear'],
  ])('looks a %s order up in its own category (%s), then in its history', async (symbol, category) => {
    const { server, exchange } = await start({ realtimeHas: false, historyHas: true });
    const from = server.requests.length;
    const o = await bybitCapabilities().clientIds.fetch(exchange, symbol, CLIENT_ID);
    const asked = server.since(from).filter((r) => r.path.startsWith('/v5/order/'));
    expect(asked.map((r) => r.path)).toEqual(['/v5/order/realtime', '/v5/order/history']);
    for (const r of asked) expect(query(r)).toEqual({ category, symbol: 'BTCUSDT', orderLinkId: CLIENT_ID });
    expect(o.symbol).toBe(symbol);
    expect(o.id).toBe(VENUE_ID);
  });

  it('cancels a linear order of unknown exchange id by orderLinkId in category linear', async () => {
    const { server, exchange } = await start();
    const run = await cancelThroughRequests(server, exchange, CLIENT_ID, undefined, LINEAR);
    const cancels = run.requests.filter((r) => r.path === '/v5/order/cancel');
    // orderFilter is a spot-only field; no orderId (it would take priority).
    expect(cancels.map(body)).toEqual([{ category: 'linear', symbol: 'BTCUSDT', orderLinkId: CLIENT_ID }]);
    expect(run.problems).toEqual([]);
  });

  // ccxt's fetchOrder on a classic account reads the history only (spot: NotSupported); the
  // real-time query and the history take the same params on either account type.
  it.each([
    ['BTC/USDT', 'spot'],
    [LINEAR, 'linear'],
  ])('looks a %s order up on a classic account too (%s)', async (symbol, category) => {
    // The history has it too (a classic account's lists open orders as well): any lookup finds it.
    const { server, exchange } = await start({ classic: true, historyHas: true });
    const from = server.requests.length;
    const o = await bybitCapabilities().clientIds.fetch(exchange, symbol, CLIENT_ID);
    const asked = server.since(from).filter((r) => r.path.startsWith('/v5/order/'));
    expect(asked.map((r) => r.path)).toEqual(['/v5/order/realtime']);
    expect(query(asked[0] as CapturedRequest)).toEqual({
      category,
      symbol: 'BTCUSDT',
      orderLinkId: CLIENT_ID,
    });
    expect(o.id).toBe(VENUE_ID);
  });
});
