/**
 * Binance's USDT-M futures endpoints (/fapi) that ccxt's binanceusdm uses: exchangeInfo and
 * time (public), orders, trades, balance/account, positionRisk, leverage, marginType,
 * leverageBracket, funding income and the listen key (signed or keyed), answered from FakeAccount;
 * funding (premiumIndex, fundingRate, income) from FuturesFunding.
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/trade/rest-api
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/account/rest-api
 */
import {
  futuresAccount,
  futuresBalance,
  futuresExchangeInfo,
  futuresOrder,
  futuresUserTrade,
  leverageBrackets,
  orderTradeUpdate,
  positionRisk,
} from './futuresPayloads.js';
import {
  klineRow,
  rest24hrTicker,
  restBookTicker,
  restDepth,
  restPriceTicker,
  restTrade,
} from './binancePayloads.js';
import { fmtUnits } from './decimal.js';
import { isForcedClose } from './forcedClose.js';
import type { FuturesFunding, HistoryQuery } from './futuresFunding.js';
import { isKlineInterval } from './klineIntervals.js';
import type { MarketReplay } from './MarketReplay.js';
import { lastPrice } from './OrderMatcher.js';
import { isOpen } from './orders.js';
import { mandatory, parseOrderRequest, unitsParam } from './parseOrderRequest.js';
import { BinanceError } from './RestApi.js';
import type { RestApi, RestRequest } from './RestApi.js';
import { requireApiKey } from './signedRequests.js';
import {
  fillsPage,
  intParam,
  namedOrder,
  ordersPage,
  signedRoute,
  symbolParam,
} from './spotTradingRoutes.js';
import type { PrivateContext } from './spotTradingRoutes.js';
import type { UserStreams } from './UserStreams.js';

/** Registers the futures endpoints; `markets` are the markets served as perpetuals. */
export function registerFuturesRoutes(
  api: RestApi,
  ctx: PrivateContext,
  markets: readonly MarketReplay[],
  streams: UserStreams,
  funding: FuturesFunding,
): void {
  const { account } = ctx;
  const ledger = account.futuresLedger;
  const known = (id: string): MarketReplay | undefined => ctx.futuresMarket(id);
  const route = (method: string, path: string, h: (req: RestRequest) => unknown): void =>
    signedRoute(api, ctx, method, path, h);

  api.route('GET', '/fapi/v1/ping', () => ({}));
  api.route('GET', '/fapi/v1/time', () => ({ serverTime: ctx.now() }));
  api.route('GET', '/fapi/v1/exchangeInfo', () => futuresExchangeInfo(markets, ctx.now()));
  registerFuturesMarketData(api, known, ctx.now, funding);

  // Income history; the fake books funding and (when a test asks) liquidation clearance fees,
  // so other income types list nothing.
  route('GET', '/fapi/v1/income', (req) => {
    const type = req.params.get('incomeType');
    const q = historyQuery(req, known, 100);
    if (type === null || type === '') return funding.income(q, ctx.now());
    if (type !== 'FUNDING_FEE' && type !== 'INSURANCE_CLEAR') return [];
    return funding.income(q, ctx.now(), type);
  });

  route('POST', '/fapi/v1/order', (req) => {
    const { req: order, market } = parseOrderRequest('futures', req.params, known, () =>
      account.newClientOrderId(),
    );
    const placed = account.futures.place(
      order,
      market,
      () => new BinanceError(400, -4116, 'ClientOrderId is duplicated.'),
    );
    return futuresOrder(placed);
  });

  // Modify Order: a resting LIMIT order gets a new price and/or quantity in place, same
  // orderId and clientOrderId. The fake rests the amended order; it fills by the replay rules
  // (on the next trade through its price), never on the amendment itself.
  route('PUT', '/fapi/v1/order', (req) => {
    const { order } = namedOrder(req, account.futures, known);
    if (order === undefined || !isOpen(order)) throw new BinanceError(400, -2013, 'Order does not exist.');
    const side = req.params.get('side');
    if (side === null || side === '') throw mandatory('side');
    if (side !== order.side) throw new BinanceError(400, -1117, 'Invalid side.');
    const qty = unitsParam(req.params, 'quantity');
    const price = unitsParam(req.params, 'price');
    if (qty === undefined) throw mandatory('quantity');
    if (price === undefined) throw mandatory('price');
    const market = known(order.symbol);
    if (market === undefined) throw new BinanceError(400, -1121, 'Invalid symbol.');
    ledger.amend(order, qty, price, market);
    streams.publishFutures(orderTradeUpdate(order, 'AMENDMENT', undefined, ctx.now()));
    return futuresOrder(order);
  });

  route('GET', '/fapi/v1/order', (req) => {
    const { order } = namedOrder(req, account.futures, known);
    if (order === undefined) throw new BinanceError(400, -2013, 'Order does not exist.');
    return futuresOrder(order);
  });

  route('DELETE', '/fapi/v1/order', (req) => {
    const { order, byClientId } = namedOrder(req, account.futures, known);
    return futuresOrder(account.futures.cancel(order, ctx.now(), byClientId));
  });

  route('GET', '/fapi/v1/openOrders', (req) => {
    const symbol = req.params.has('symbol') ? symbolParam(req, known) : undefined;
    return account.futures.open(symbol).map(futuresOrder);
  });

  route('GET', '/fapi/v1/openOrder', (req) => {
    const { order } = namedOrder(req, account.futures, known);
    if (order === undefined || (order.status !== 'NEW' && order.status !== 'PARTIALLY_FILLED'))
      throw new BinanceError(400, -2013, 'Order does not exist.');
    return futuresOrder(order);
  });

  route('DELETE', '/fapi/v1/allOpenOrders', (req) => {
    const symbol = symbolParam(req, known);
    for (const o of account.futures.open(symbol)) account.futures.cancel(o, ctx.now());
    return { code: 200, msg: 'The operation of cancel all open order is done.' };
  });

  route('GET', '/fapi/v1/allOrders', (req) =>
    ordersPage(account.futures.all, req, symbolParam(req, known)).map(futuresOrder),
  );

  // The account's force orders: liquidations (autoclose-…) and auto-deleveragings
  // (adl_autoclose); without startTime, the 7 days before endTime (or now).
  route('GET', '/fapi/v1/forceOrders', (req) => {
    const symbol = req.params.has('symbol') ? symbolParam(req, known) : undefined;
    const type = req.params.get('autoCloseType');
    const startTime = intParam(req, 'startTime');
    const endTime = intParam(req, 'endTime');
    const limit = Math.max(1, Math.min(intParam(req, 'limit') ?? 50, 100));
    const from = startTime ?? (endTime ?? ctx.now()) - 7 * 86_400_000;
    const to = endTime ?? Number.MAX_SAFE_INTEGER;
    const rows = account.futures.all.filter(
      (o) =>
        isForcedClose(o.clientOrderId) &&
        (symbol === undefined || o.symbol === symbol) &&
        (type === null || type === '' || (type === 'ADL') === (o.clientOrderId === 'adl_autoclose')) &&
        o.time >= from &&
        o.time <= to,
    );
    return (startTime !== undefined ? rows.slice(0, limit) : rows.slice(-limit)).map(futuresOrder);
  });

  route('GET', '/fapi/v1/userTrades', (req) =>
    fillsPage(account.futures.fills, req, symbolParam(req, known)).map(futuresUserTrade),
  );

  for (const v of [2, 3] as const) {
    route('GET', `/fapi/v${v}/account`, () => futuresAccount(ledger, ctx.now(), v));
    route('GET', `/fapi/v${v}/balance`, () => futuresBalance(ledger, ctx.now()));
    route('GET', `/fapi/v${v}/positionRisk`, (req) => {
      const symbol = req.params.has('symbol') ? symbolParam(req, known) : undefined;
      const rows = markets
        .filter((m) => symbol === undefined || m.id === symbol)
        .map((m) => [m.id, ledger.position(m.id)] as const)
        // v3 lists open positions only; v2 every symbol, flat ones included.
        .filter(([, p]) => v === 2 || p.amt !== 0n);
      return rows.map(([s, p]) => positionRisk(ledger, s, p, v));
    });
  }

  route('GET', '/fapi/v1/leverageBracket', (req) => {
    const symbol = req.params.has('symbol') ? symbolParam(req, known) : undefined;
    return leverageBrackets(markets.map((m) => m.id).filter((s) => symbol === undefined || s === symbol));
  });

  route('POST', '/fapi/v1/leverage', (req) => {
    const symbol = symbolParam(req, known);
    const leverage = intParam(req, 'leverage');
    if (leverage === undefined) throw mandatory('leverage');
    ledger.setLeverage(symbol, leverage);
    return { leverage, maxNotionalValue: '1000000', symbol };
  });

  route('POST', '/fapi/v1/marginType', (req) => {
    const symbol = symbolParam(req, known);
    const type = req.params.get('marginType');
    if (type !== 'ISOLATED' && type !== 'CROSSED') throw mandatory('marginType');
    ledger.setMarginType(symbol, type === 'ISOLATED' ? 'isolated' : 'cross');
    return { code: 200, msg: 'success' };
  });

  // Modify Isolated Position Margin: type 1 adds, 2 removes (one-way mode: positionSide BOTH).
  // https://developers.binance.com/docs/derivatives/usds-margined-futures/trade/rest-api/Modify-Isolated-Position-Margin
  route('POST', '/fapi/v1/positionMargin', (req) => {
    const symbol = symbolParam(req, known);
    const amount = unitsParam(req.params, 'amount');
    if (amount === undefined) throw mandatory('amount');
    const type = req.params.get('type');
    if (type !== '1' && type !== '2') throw mandatory('type');
    ledger.modifyIsolatedMargin(symbol, amount, type === '1' ? 1 : 2, ctx.now());
    return {
      amount: Number(fmtUnits(amount)),
      code: 200,
      msg: 'Successfully modify position margin.',
      type: Number(type),
    };
  });

  route('GET', '/fapi/v1/positionSide/dual', () => ({ dualSidePosition: false }));

  // The listen key needs the API key only, no signature.
  const keyed = (method: string, h: (apiKey: string) => unknown): void =>
    api.route(method, '/fapi/v1/listenKey', (req) => h(requireApiKey(req, ctx.keys)), { private: true });
  keyed('POST', (apiKey) => ({ listenKey: streams.createListenKey(apiKey) }));
  keyed('PUT', (apiKey) => ({ listenKey: streams.keepAlive(apiKey) }));
  keyed('DELETE', (apiKey) => {
    streams.closeListenKey(apiKey);
    return {};
  });
}

/**
 * Public USDT-M market data of the perpetuals: the same replayed tape, book and candles as the
 * spot market, in the shapes ccxt's binanceusdm reads (Binance's futures answers are the spot
 * ones for these endpoints), plus the mark price (premiumIndex: the last trade, with the
 * funding schedule's last rate and next time) and the settled funding rates.
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api
 */
function registerFuturesMarketData(
  api: RestApi,
  known: (id: string) => MarketReplay | undefined,
  now: () => number,
  funding: FuturesFunding,
): void {
  api.route('GET', '/fapi/v1/fundingRate', (req) =>
    funding.rateHistory(historyQuery(req, known, 100), now()),
  );
  const get = (path: string, h: (req: RestRequest, m: MarketReplay) => unknown): void =>
    api.route('GET', path, (req) => h(req, marketOf(req, known)));
  const limit = (req: RestRequest, def: number, max: number): number =>
    Math.max(1, Math.min(intParam(req, 'limit') ?? def, max));
  get('/fapi/v1/depth', (req, m) => restDepth(m.book.snapshot(m.cursor, limit(req, 100, 1000))));
  get('/fapi/v1/trades', (req, m) => {
    const n = limit(req, 500, 1000);
    const out: Record<string, unknown>[] = [];
    for (let i = Math.max(0, m.cursor - n); i < m.cursor; i++) out.push(restTrade(m, i));
    return out;
  });
  get('/fapi/v1/klines', (req, m) => {
    const interval = req.params.get('interval');
    if (interval === null || !isKlineInterval(interval)) throw mandatory('interval');
    return m
      .klines(interval, limit(req, 500, 1500), intParam(req, 'startTime'), intParam(req, 'endTime'))
      .map(klineRow);
  });
  get('/fapi/v1/ticker/24hr', (_req, m) => rest24hrTicker(m, m.window(86_400_000), 'FULL'));
  get('/fapi/v1/ticker/price', (_req, m) => restPriceTicker(m));
  get('/fapi/v1/ticker/bookTicker', (_req, m) => restBookTicker(m));
  get('/fapi/v1/premiumIndex', (_req, m) => {
    const mark = fmtUnits(lastPrice(m) ?? 0n);
    return {
      symbol: m.id,
      markPrice: mark,
      indexPrice: mark,
      estimatedSettlePrice: mark,
      lastFundingRate: funding.lastRate(m.id),
      interestRate: '0.00000000',
      nextFundingTime: funding.nextFundingTime(m.id, now()),
      time: now(),
    };
  });
}

function marketOf(req: RestRequest, known: (id: string) => MarketReplay | undefined): MarketReplay {
  const id = req.params.get('symbol');
  if (id === null || id === '') throw mandatory('symbol');
  const m = known(id);
  if (m === undefined) throw new BinanceError(400, -1121, 'Invalid symbol.');
  return m;
}

/** symbol (optional), startTime, endTime and limit (default `def`, at most 1000) of a history endpoint. */
function historyQuery(
  req: RestRequest,
  known: (id: string) => MarketReplay | undefined,
  def: number,
): HistoryQuery {
  const symbol = req.params.has('symbol') ? symbolParam(req, known) : undefined;
  const startTime = intParam(req, 'startTime');
  const endTime = intParam(req, 'endTime');
  const limit = Math.max(1, Math.min(intParam(req, 'limit') ?? def, 1000));
  return {
    limit,
    ...(symbol === undefined ? {} : { symbol }),
    ...(startTime === undefined ? {} : { startTime }),
    ...(endTime === undefined ? {} : { endTime }),
  };
}
