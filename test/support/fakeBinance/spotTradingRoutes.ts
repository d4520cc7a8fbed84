/**
 * Binance's signed spot endpoints that ccxt uses for trading, answered from FakeAccount:
 * orders (new, test, query, cancel, open, all, cancel all), myTrades and account.
 * https://developers.binance.com/docs/binance-spot-api-docs/rest-api/trading-endpoints
 * https://developers.binance.com/docs/binance-spot-api-docs/rest-api/account-endpoints
 */
import type { FakeAccount } from './FakeAccount.js';
import type { MarketReplay } from './MarketReplay.js';
import type { OrderMatcher } from './OrderMatcher.js';
import type { FakeOrder } from './orders.js';
import { mandatory, parseOrderRequest } from './parseOrderRequest.js';
import { BinanceError } from './RestApi.js';
import type { RestApi, RestRequest } from './RestApi.js';
import type { ApiKeys } from './signedRequests.js';
import { verifySignedRest } from './signedRequests.js';
import {
  spotAccount,
  spotCanceledOrder,
  spotMyTrade,
  spotNewOrder,
  spotOrder,
} from './spotAccountPayloads.js';

/** What the private routes need from the server. */
export interface PrivateContext {
  readonly account: FakeAccount;
  readonly keys: ApiKeys;
  /** The clock signed timestamps are checked against. */
  readonly clock: () => number;
  /** Server (market) time. */
  readonly now: () => number;
  spotMarket(id: string): MarketReplay | undefined;
  futuresMarket(id: string): MarketReplay | undefined;
}

/** Registers a SIGNED route: the signature and timestamp are checked before `handler`. */
export function signedRoute(
  api: RestApi,
  ctx: PrivateContext,
  method: string,
  path: string,
  handler: (req: RestRequest, apiKey: string) => unknown,
): void {
  api.route(method, path, (req) => handler(req, verifySignedRest(req, ctx.keys, ctx.clock())), {
    private: true,
  });
}

/** An optional integer parameter. */
export function intParam(req: RestRequest, name: string): number | undefined {
  const raw = req.params.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw))
    throw new BinanceError(
      400,
      -1100,
      `Illegal characters found in parameter '${name}'; legal range is '^[0-9]{1,20}$'.`,
    );
  return Number(raw);
}

/** The symbol parameter, mandatory, checked against `known`. */
export function symbolParam(req: RestRequest, known: (id: string) => MarketReplay | undefined): string {
  const symbol = req.params.get('symbol');
  if (symbol === null || symbol === '') throw mandatory('symbol');
  if (known(symbol) === undefined) throw new BinanceError(400, -1121, 'Invalid symbol.');
  return symbol;
}

/** The order a query/cancel names by orderId or origClientOrderId. */
export function namedOrder(
  req: RestRequest,
  matcher: OrderMatcher,
  known: (id: string) => MarketReplay | undefined,
): { order: FakeOrder | undefined; byClientId: string | undefined } {
  const symbol = symbolParam(req, known);
  const orderId = intParam(req, 'orderId');
  const byClientId = req.params.get('origClientOrderId') ?? undefined;
  if (orderId === undefined && byClientId === undefined)
    throw new BinanceError(
      400,
      -1102,
      "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!",
    );
  return {
    order: matcher.find(symbol, orderId, byClientId),
    byClientId: orderId === undefined ? byClientId : undefined,
  };
}

/** Orders or trades filtered like allOrders/myTrades: from an id, in a time range, at most limit. */
export function page<T>(
  rows: readonly T[],
  req: RestRequest,
  idOf: (row: T) => number,
  timeOf: (row: T) => number,
  fromIdParam: string,
): T[] {
  const fromId = intParam(req, fromIdParam);
  const start = intParam(req, 'startTime');
  const end = intParam(req, 'endTime');
  const limit = Math.min(intParam(req, 'limit') ?? 500, 1000);
  const picked = rows.filter(
    (r) =>
      (fromId === undefined || idOf(r) >= fromId) &&
      (start === undefined || timeOf(r) >= start) &&
      (end === undefined || timeOf(r) <= end),
  );
  return fromId !== undefined || start !== undefined ? picked.slice(0, limit) : picked.slice(-limit);
}

/** allOrders: the orders of `symbol`, paged from an orderId. */
export function ordersPage<O extends { symbol: string; orderId: number; time: number }>(
  all: readonly O[],
  req: RestRequest,
  symbol: string,
): O[] {
  return page(
    all.filter((o) => o.symbol === symbol),
    req,
    (o) => o.orderId,
    (o) => o.time,
    'orderId',
  );
}

/** myTrades/userTrades: the fills of `symbol` (of one order when orderId is sent), paged from a trade id. */
export function fillsPage<F extends { symbol: string; orderId: number; tradeId: number; time: number }>(
  fills: readonly F[],
  req: RestRequest,
  symbol: string,
): F[] {
  const orderId = intParam(req, 'orderId');
  return page(
    fills.filter((f) => f.symbol === symbol && (orderId === undefined || f.orderId === orderId)),
    req,
    (f) => f.tradeId,
    (f) => f.time,
    'fromId',
  );
}

/** Registers the spot trading and account endpoints. */
export function registerSpotTradingRoutes(api: RestApi, ctx: PrivateContext): void {
  const { account } = ctx;
  const known = (id: string): MarketReplay | undefined => ctx.spotMarket(id);
  const route = (method: string, path: string, h: (req: RestRequest) => unknown): void =>
    signedRoute(api, ctx, method, path, h);

  route('POST', '/api/v3/order', (req) => {
    const { req: order, market } = parseOrderRequest('spot', req.params, known, () =>
      account.newClientOrderId(),
    );
    const placed = account.spot.place(
      order,
      market,
      () => new BinanceError(400, -2010, 'Duplicate order sent.'),
    );
    const defaultResp = order.type === 'MARKET' || order.type === 'LIMIT' ? 'FULL' : 'ACK';
    const fills = account.spot.fills.filter((f) => f.orderId === placed.orderId);
    return spotNewOrder(placed, fills, req.params.get('newOrderRespType') ?? defaultResp);
  });

  route('POST', '/api/v3/order/test', (req) => {
    parseOrderRequest('spot', req.params, known, () => account.newClientOrderId());
    return {};
  });

  route('GET', '/api/v3/order', (req) => {
    const { order } = namedOrder(req, account.spot, known);
    if (order === undefined) throw new BinanceError(400, -2013, 'Order does not exist.');
    return spotOrder(order);
  });

  route('DELETE', '/api/v3/order', (req) => {
    const { order, byClientId } = namedOrder(req, account.spot, known);
    const canceled = account.spot.cancel(order, ctx.now(), byClientId);
    return spotCanceledOrder(canceled, ctx.now());
  });

  route('GET', '/api/v3/openOrders', (req) => {
    const symbol = req.params.has('symbol') ? symbolParam(req, known) : undefined;
    return account.spot.open(symbol).map(spotOrder);
  });

  route('DELETE', '/api/v3/openOrders', (req) => {
    const symbol = symbolParam(req, known);
    const open = account.spot.open(symbol);
    if (open.length === 0) throw new BinanceError(400, -2011, 'Unknown order sent.');
    return open.map((o) => spotCanceledOrder(account.spot.cancel(o, ctx.now()), ctx.now()));
  });

  route('GET', '/api/v3/allOrders', (req) =>
    ordersPage(account.spot.all, req, symbolParam(req, known)).map(spotOrder),
  );

  route('GET', '/api/v3/myTrades', (req) =>
    fillsPage(account.spot.fills, req, symbolParam(req, known)).map(spotMyTrade),
  );

  route('GET', '/api/v3/account', (req) =>
    spotAccount(
      account.spotLedger.balances,
      account.spotLedger.makerBps,
      account.spotLedger.takerBps,
      ctx.now(),
      req.params.get('omitZeroBalances') === 'true',
    ),
  );
}
