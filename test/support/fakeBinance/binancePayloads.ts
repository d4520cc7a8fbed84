/**
 * The JSON shapes of Binance's spot API, built from a MarketReplay. REST and WebSocket share
 * these so both describe the same trades in the same words. Field names and string/number
 * types follow Binance's documentation:
 * https://developers.binance.com/docs/binance-spot-api-docs/rest-api/market-data-endpoints
 * https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams
 */
import { fmtDecimal, fmtUnits } from './decimal.js';
import type { Candle, MarketReplay, WindowStats } from './MarketReplay.js';
import type { DepthDiff, DepthSnapshot } from './SyntheticBook.js';

const ZERO = '0.00000000';

/** The request-weight and order limits Binance advertises (the fake does not enforce them). */
export const RATE_LIMITS = [
  { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
  { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
  { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
  { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
];

/** One `symbols[]` entry of GET /api/v3/exchangeInfo. */
export function exchangeInfoSymbol(m: MarketReplay): Record<string, unknown> {
  return {
    symbol: m.id,
    status: 'TRADING',
    baseAsset: m.base,
    baseAssetPrecision: 8,
    quoteAsset: m.quote,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: [
      'LIMIT',
      'LIMIT_MAKER',
      'MARKET',
      'STOP_LOSS',
      'STOP_LOSS_LIMIT',
      'TAKE_PROFIT',
      'TAKE_PROFIT_LIMIT',
    ],
    icebergAllowed: true,
    ocoAllowed: true,
    otoAllowed: true,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: true,
    cancelReplaceAllowed: true,
    amendAllowed: true,
    pegInstructionsAllowed: false,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      {
        filterType: 'PRICE_FILTER',
        minPrice: m.tickSize,
        maxPrice: '1000000.00000000',
        tickSize: m.tickSize,
      },
      { filterType: 'LOT_SIZE', minQty: m.lotSize, maxQty: '90000000.00000000', stepSize: m.lotSize },
      { filterType: 'ICEBERG_PARTS', limit: 10 },
      { filterType: 'MARKET_LOT_SIZE', minQty: ZERO, maxQty: '90000000.00000000', stepSize: ZERO },
      {
        filterType: 'TRAILING_DELTA',
        minTrailingAboveDelta: 10,
        maxTrailingAboveDelta: 2000,
        minTrailingBelowDelta: 10,
        maxTrailingBelowDelta: 2000,
      },
      {
        filterType: 'PERCENT_PRICE_BY_SIDE',
        bidMultiplierUp: '5',
        bidMultiplierDown: '0.2',
        askMultiplierUp: '5',
        askMultiplierDown: '0.2',
        avgPriceMins: 5,
      },
      {
        filterType: 'NOTIONAL',
        minNotional: m.minNotional,
        applyMinToMarket: true,
        maxNotional: '9000000.00000000',
        applyMaxToMarket: false,
        avgPriceMins: 5,
      },
      { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200 },
      { filterType: 'MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: 5 },
    ],
    permissions: [],
    permissionSets: [['SPOT']],
    defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
    allowedSelfTradePreventionModes: ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH', 'DECREMENT'],
  };
}

/** GET /api/v3/exchangeInfo. */
export function exchangeInfo(markets: readonly MarketReplay[], serverTime: number): Record<string, unknown> {
  return {
    timezone: 'UTC',
    serverTime,
    rateLimits: RATE_LIMITS,
    exchangeFilters: [],
    symbols: markets.map(exchangeInfoSymbol),
    sors: [],
  };
}

/** One row of GET /api/v3/klines. */
export function klineRow(c: Candle): unknown[] {
  return [
    c.openTime,
    fmtDecimal(c.open),
    fmtDecimal(c.high),
    fmtDecimal(c.low),
    fmtDecimal(c.close),
    fmtUnits(c.baseUnits),
    c.closeTime,
    fmtUnits(c.quoteUnits),
    c.count,
    fmtUnits(c.buyBaseUnits),
    fmtUnits(c.buyQuoteUnits),
    '0',
  ];
}

function qty(m: MarketReplay, i: number): string {
  return fmtDecimal(m.tape.amount[i] as number);
}

function price(m: MarketReplay, i: number): string {
  return fmtDecimal(m.tape.price[i] as number);
}

/** Binance reports whether the buyer was the maker, i.e. the taker sold. */
function buyerIsMaker(m: MarketReplay, i: number): boolean {
  return m.tape.buy[i] === 0;
}

/** One entry of GET /api/v3/trades and /api/v3/historicalTrades. */
export function restTrade(m: MarketReplay, i: number): Record<string, unknown> {
  return {
    id: m.tape.id[i],
    price: price(m, i),
    qty: qty(m, i),
    quoteQty: fmtDecimal((m.tape.price[i] as number) * (m.tape.amount[i] as number)),
    time: m.tape.ts[i],
    isBuyerMaker: buyerIsMaker(m, i),
    isBestMatch: true,
  };
}

/** One entry of GET /api/v3/aggTrades: the fake aggregates nothing, so a = f = l = trade id. */
export function restAggTrade(m: MarketReplay, i: number): Record<string, unknown> {
  const id = m.tape.id[i];
  return {
    a: id,
    p: price(m, i),
    q: qty(m, i),
    f: id,
    l: id,
    T: m.tape.ts[i],
    m: buyerIsMaker(m, i),
    M: true,
  };
}

/** GET /api/v3/depth. */
export function restDepth(snapshot: DepthSnapshot): Record<string, unknown> {
  return { lastUpdateId: snapshot.lastUpdateId, bids: snapshot.bids, asks: snapshot.asks };
}

/** Best bid/ask of the book after `cursor` trades. */
function top(m: MarketReplay, cursor: number): { bid: [string, string]; ask: [string, string] } {
  const s = m.book.snapshot(cursor, 1);
  return { bid: s.bids[0] ?? [ZERO, ZERO], ask: s.asks[0] ?? [ZERO, ZERO] };
}

/** GET /api/v3/ticker/bookTicker entry. */
export function restBookTicker(m: MarketReplay): Record<string, unknown> {
  const { bid, ask } = top(m, m.cursor);
  return { symbol: m.id, bidPrice: bid[0], bidQty: bid[1], askPrice: ask[0], askQty: ask[1] };
}

/** GET /api/v3/ticker/price entry. */
export function restPriceTicker(m: MarketReplay): Record<string, unknown> {
  const w = m.window(0);
  return { symbol: m.id, price: w.lastIndex === undefined ? ZERO : price(m, w.lastIndex) };
}

interface TickerNumbers {
  priceChange: string;
  priceChangePercent: string;
  weightedAvgPrice: string;
  prevClosePrice: string;
  lastPrice: string;
  lastQty: string;
  openPrice: string;
  highPrice: string;
  lowPrice: string;
  volume: string;
  quoteVolume: string;
  firstId: number;
  lastId: number;
  count: number;
}

/** The numbers every ticker variant shares; an empty window reads as zeros and ids -1. */
function tickerNumbers(m: MarketReplay, w: WindowStats): TickerNumbers {
  const last = w.lastIndex;
  const s = w.stats;
  const lastPrice = last === undefined ? ZERO : price(m, last);
  const lastQty = last === undefined ? ZERO : qty(m, last);
  const prevClosePrice = w.prevClose === undefined ? ZERO : fmtDecimal(w.prevClose);
  if (s === undefined) {
    return {
      priceChange: ZERO,
      priceChangePercent: '0.000',
      weightedAvgPrice: ZERO,
      prevClosePrice,
      lastPrice,
      lastQty,
      openPrice: ZERO,
      highPrice: ZERO,
      lowPrice: ZERO,
      volume: ZERO,
      quoteVolume: ZERO,
      firstId: -1,
      lastId: -1,
      count: 0,
    };
  }
  const base = Number(s.baseUnits);
  return {
    priceChange: (s.close - s.open).toFixed(8),
    priceChangePercent: (((s.close - s.open) / s.open) * 100).toFixed(3),
    weightedAvgPrice: base === 0 ? ZERO : (Number(s.quoteUnits) / base).toFixed(8),
    prevClosePrice,
    lastPrice,
    lastQty,
    openPrice: fmtDecimal(s.open),
    highPrice: fmtDecimal(s.high),
    lowPrice: fmtDecimal(s.low),
    volume: fmtUnits(s.baseUnits),
    quoteVolume: fmtUnits(s.quoteUnits),
    firstId: s.firstId,
    lastId: s.lastId,
    count: s.count,
  };
}

/** GET /api/v3/ticker/24hr entry (type FULL or MINI). */
export function rest24hrTicker(
  m: MarketReplay,
  w: WindowStats,
  type: 'FULL' | 'MINI',
): Record<string, unknown> {
  const t = tickerNumbers(m, w);
  const times = {
    openTime: w.openTime,
    closeTime: w.closeTime,
    firstId: t.firstId,
    lastId: t.lastId,
    count: t.count,
  };
  if (type === 'MINI') {
    return {
      symbol: m.id,
      openPrice: t.openPrice,
      highPrice: t.highPrice,
      lowPrice: t.lowPrice,
      lastPrice: t.lastPrice,
      volume: t.volume,
      quoteVolume: t.quoteVolume,
      ...times,
    };
  }
  const { bid, ask } = top(m, w.lastIndex === undefined ? 0 : w.lastIndex + 1);
  return {
    symbol: m.id,
    priceChange: t.priceChange,
    priceChangePercent: t.priceChangePercent,
    weightedAvgPrice: t.weightedAvgPrice,
    prevClosePrice: t.prevClosePrice,
    lastPrice: t.lastPrice,
    lastQty: t.lastQty,
    bidPrice: bid[0],
    bidQty: bid[1],
    askPrice: ask[0],
    askQty: ask[1],
    openPrice: t.openPrice,
    highPrice: t.highPrice,
    lowPrice: t.lowPrice,
    volume: t.volume,
    quoteVolume: t.quoteVolume,
    ...times,
  };
}

/** GET /api/v3/ticker (rolling window) entry. */
export function restRollingTicker(m: MarketReplay, w: WindowStats): Record<string, unknown> {
  const t = tickerNumbers(m, w);
  return {
    symbol: m.id,
    priceChange: t.priceChange,
    priceChangePercent: t.priceChangePercent,
    weightedAvgPrice: t.weightedAvgPrice,
    openPrice: t.openPrice,
    highPrice: t.highPrice,
    lowPrice: t.lowPrice,
    lastPrice: t.lastPrice,
    volume: t.volume,
    quoteVolume: t.quoteVolume,
    openTime: w.openTime,
    closeTime: w.closeTime,
    firstId: t.firstId,
    lastId: t.lastId,
    count: t.count,
  };
}

/** `<symbol>@trade` event of trade i. */
export function wsTrade(m: MarketReplay, i: number): Record<string, unknown> {
  const ts = m.tape.ts[i];
  return {
    e: 'trade',
    E: ts,
    s: m.id,
    t: m.tape.id[i],
    p: price(m, i),
    q: qty(m, i),
    T: ts,
    m: buyerIsMaker(m, i),
    M: true,
  };
}

/** `<symbol>@aggTrade` event of trade i (one aggregate per trade, as in restAggTrade). */
export function wsAggTrade(m: MarketReplay, i: number): Record<string, unknown> {
  const ts = m.tape.ts[i];
  const id = m.tape.id[i];
  return {
    e: 'aggTrade',
    E: ts,
    s: m.id,
    a: id,
    p: price(m, i),
    q: qty(m, i),
    f: id,
    l: id,
    T: ts,
    m: buyerIsMaker(m, i),
    M: true,
  };
}

/** `<symbol>@kline_<interval>` event after trade i (x = the candle is final). */
export function wsKline(m: MarketReplay, i: number, interval: string): Record<string, unknown> {
  const { candle: c, closed } = m.candleUpTo(interval, i);
  return {
    e: 'kline',
    E: m.tape.ts[i],
    s: m.id,
    k: {
      t: c.openTime,
      T: c.closeTime,
      s: m.id,
      i: interval,
      f: c.firstId,
      L: c.lastId,
      o: fmtDecimal(c.open),
      c: fmtDecimal(c.close),
      h: fmtDecimal(c.high),
      l: fmtDecimal(c.low),
      v: fmtUnits(c.baseUnits),
      n: c.count,
      x: closed,
      q: fmtUnits(c.quoteUnits),
      V: fmtUnits(c.buyBaseUnits),
      Q: fmtUnits(c.buyQuoteUnits),
      B: '0',
    },
  };
}

/** `<symbol>@ticker` (24hrTicker) event after trade i. */
export function wsTicker(m: MarketReplay, w: WindowStats): Record<string, unknown> {
  const t = tickerNumbers(m, w);
  const { bid, ask } = top(m, w.lastIndex === undefined ? 0 : w.lastIndex + 1);
  return {
    e: '24hrTicker',
    E: w.closeTime,
    s: m.id,
    p: t.priceChange,
    P: t.priceChangePercent,
    w: t.weightedAvgPrice,
    x: t.prevClosePrice,
    c: t.lastPrice,
    Q: t.lastQty,
    b: bid[0],
    B: bid[1],
    a: ask[0],
    A: ask[1],
    o: t.openPrice,
    h: t.highPrice,
    l: t.lowPrice,
    v: t.volume,
    q: t.quoteVolume,
    O: w.openTime,
    C: w.closeTime,
    F: t.firstId,
    L: t.lastId,
    n: t.count,
  };
}

/** `<symbol>@ticker_<1h|4h|1d>` (rolling window) event. */
export function wsWindowTicker(m: MarketReplay, w: WindowStats, name: string): Record<string, unknown> {
  const t = tickerNumbers(m, w);
  return {
    e: `${name}Ticker`,
    E: w.closeTime,
    s: m.id,
    p: t.priceChange,
    P: t.priceChangePercent,
    o: t.openPrice,
    h: t.highPrice,
    l: t.lowPrice,
    c: t.lastPrice,
    w: t.weightedAvgPrice,
    v: t.volume,
    q: t.quoteVolume,
    O: w.openTime,
    C: w.closeTime,
    F: t.firstId,
    L: t.lastId,
    n: t.count,
  };
}

/** `<symbol>@miniTicker` event. */
export function wsMiniTicker(m: MarketReplay, w: WindowStats): Record<string, unknown> {
  const t = tickerNumbers(m, w);
  return {
    e: '24hrMiniTicker',
    E: w.closeTime,
    s: m.id,
    c: t.lastPrice,
    o: t.openPrice,
    h: t.highPrice,
    l: t.lowPrice,
    v: t.volume,
    q: t.quoteVolume,
  };
}

/** `<symbol>@bookTicker` event of the book after `cursor` trades. */
export function wsBookTicker(m: MarketReplay, cursor: number): Record<string, unknown> {
  const { bid, ask } = top(m, cursor);
  return { u: m.book.updateId(cursor), s: m.id, b: bid[0], B: bid[1], a: ask[0], A: ask[1] };
}

/** `<symbol>@depth[@100ms]` diff event (spot: no `pu`). */
export function wsDepthUpdate(m: MarketReplay, diff: DepthDiff, eventTime: number): Record<string, unknown> {
  return {
    e: 'depthUpdate',
    E: eventTime,
    s: m.id,
    U: diff.updateId,
    u: diff.updateId,
    b: diff.bids,
    a: diff.asks,
  };
}

/** `<symbol>@depth<5|10|20>[@100ms]` partial book event. */
export function wsPartialDepth(snapshot: DepthSnapshot): Record<string, unknown> {
  return { lastUpdateId: snapshot.lastUpdateId, bids: snapshot.bids, asks: snapshot.asks };
}
