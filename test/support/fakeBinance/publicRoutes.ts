/**
 * Binance's public spot market-data endpoints, answered from the replay: only trades before
 * each market's cursor exist ("now" is the cursor).
 * https://developers.binance.com/docs/binance-spot-api-docs/rest-api/market-data-endpoints
 * https://developers.binance.com/docs/binance-spot-api-docs/rest-api/general-endpoints
 */
import {
  exchangeInfo,
  klineRow,
  rest24hrTicker,
  restAggTrade,
  restBookTicker,
  restDepth,
  restPriceTicker,
  restRollingTicker,
  restTrade,
} from './binancePayloads.js';
import { isKlineInterval } from './klineIntervals.js';
import type { MarketReplay } from './MarketReplay.js';
import { BinanceError } from './RestApi.js';
import type { RestApi, RestRequest } from './RestApi.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** What the routes need from the server. */
export interface MarketDirectory {
  readonly markets: readonly MarketReplay[];
  /** Market by Binance id (XRPETH). */
  byId(id: string): MarketReplay | undefined;
  /** Server time: the latest market clock. */
  now(): number;
}

/** Registers every public endpoint on `api`. */
export function registerPublicRoutes(api: RestApi, dir: MarketDirectory): void {
  const get = (path: string, handler: (req: RestRequest) => unknown): void => api.route('GET', path, handler);

  get('/api/v3/ping', () => ({}));
  get('/api/v3/time', () => ({ serverTime: dir.now() }));
  get('/sapi/v1/system/status', () => ({ status: 0, msg: 'normal' }));
  get('/api/v3/exchangeInfo', (req) => exchangeInfo(selectMarkets(dir, req), dir.now()));

  get('/api/v3/depth', (req) => {
    const m = market(dir, req);
    return restDepth(m.book.snapshot(m.cursor, intParam(req, 'limit', 100, 5000)));
  });

  get('/api/v3/trades', (req) => {
    const m = market(dir, req);
    const limit = intParam(req, 'limit', 500, 1000);
    return range(Math.max(0, m.cursor - limit), m.cursor).map((i) => restTrade(m, i));
  });

  get('/api/v3/historicalTrades', (req) => {
    const m = market(dir, req);
    const limit = intParam(req, 'limit', 500, 1000);
    const fromId = optionalInt(req, 'fromId');
    const from = fromId === undefined ? Math.max(0, m.cursor - limit) : m.tape.firstIdAtOrAfter(fromId);
    return range(from, Math.min(m.cursor, from + limit)).map((i) => restTrade(m, i));
  });

  get('/api/v3/aggTrades', (req) => {
    const m = market(dir, req);
    const limit = intParam(req, 'limit', 500, 1000);
    const fromId = optionalInt(req, 'fromId');
    const startTime = optionalInt(req, 'startTime');
    const endTime = optionalInt(req, 'endTime');
    if (startTime !== undefined && endTime !== undefined && endTime - startTime > HOUR) {
      throw new BinanceError(400, -1127, 'More than 1 hours between startTime and endTime.');
    }
    const visible = m.cursor;
    const stop = endTime === undefined ? visible : Math.min(visible, m.tape.firstAfter(endTime));
    let from: number;
    if (fromId !== undefined) from = m.tape.firstIdAtOrAfter(fromId);
    else if (startTime !== undefined) from = m.tape.firstAtOrAfter(startTime);
    else from = Math.max(0, stop - limit);
    return range(from, Math.min(stop, from + limit)).map((i) => restAggTrade(m, i));
  });

  const klines = (req: RestRequest): unknown => {
    const m = market(dir, req);
    const interval = req.params.get('interval');
    if (interval === null || interval === '') throw mandatory('interval');
    if (!isKlineInterval(interval)) throw new BinanceError(400, -1120, 'Invalid interval.');
    const limit = intParam(req, 'limit', 500, 1000);
    return m
      .klines(interval, limit, optionalInt(req, 'startTime'), optionalInt(req, 'endTime'))
      .map(klineRow);
  };
  get('/api/v3/klines', klines);
  get('/api/v3/uiKlines', klines);

  get('/api/v3/avgPrice', (req) => {
    const m = market(dir, req);
    const w = m.window(5 * MINUTE);
    const s = w.stats;
    const price = s === undefined || s.baseUnits === 0n ? 0 : Number(s.quoteUnits) / Number(s.baseUnits);
    return { mins: 5, price: price.toFixed(8), closeTime: w.closeTime };
  });

  get('/api/v3/ticker/24hr', (req) => {
    const type = req.params.get('type') ?? 'FULL';
    if (type !== 'FULL' && type !== 'MINI')
      throw new BinanceError(400, -1100, "Illegal characters found in parameter 'type'.");
    return perMarket(dir, req, (m) => rest24hrTicker(m, m.window(DAY), type));
  });
  get('/api/v3/ticker/price', (req) => perMarket(dir, req, restPriceTicker));
  get('/api/v3/ticker/bookTicker', (req) => perMarket(dir, req, restBookTicker));
  get('/api/v3/ticker', (req) => {
    const windowMs = windowSize(req.params.get('windowSize') ?? '1d');
    if (!req.params.has('symbol') && !req.params.has('symbols')) throw mandatory('symbol');
    return perMarket(dir, req, (m) => restRollingTicker(m, m.window(windowMs)));
  });
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(i);
  return out;
}

function mandatory(name: string): BinanceError {
  return new BinanceError(
    400,
    -1102,
    `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`,
  );
}

function market(dir: MarketDirectory, req: RestRequest): MarketReplay {
  const id = req.params.get('symbol');
  if (id === null || id === '') throw mandatory('symbol');
  const m = dir.byId(id);
  if (m === undefined) throw new BinanceError(400, -1121, 'Invalid symbol.');
  return m;
}

/** `symbol`, or the JSON array `symbols`, or every market. */
function selectMarkets(dir: MarketDirectory, req: RestRequest): readonly MarketReplay[] {
  if (req.params.has('symbol')) return [market(dir, req)];
  const list = req.params.get('symbols');
  if (list === null) return dir.markets;
  let ids: unknown;
  try {
    ids = JSON.parse(list);
  } catch {
    ids = undefined;
  }
  if (!Array.isArray(ids) || !ids.every((s) => typeof s === 'string')) {
    throw new BinanceError(400, -1100, "Illegal characters found in parameter 'symbols'.");
  }
  return ids.map((id) => {
    const m = dir.byId(id);
    if (m === undefined) throw new BinanceError(400, -1121, 'Invalid symbol.');
    return m;
  });
}

/** One object for `symbol=`, an array otherwise (Binance's convention for tickers). */
function perMarket(dir: MarketDirectory, req: RestRequest, f: (m: MarketReplay) => unknown): unknown {
  if (req.params.has('symbol')) return f(market(dir, req));
  return selectMarkets(dir, req).map(f);
}

function optionalInt(req: RestRequest, name: string): number | undefined {
  const s = req.params.get(name);
  if (s === null) return undefined;
  if (!/^-?\d{1,20}$/.test(s)) {
    throw new BinanceError(
      400,
      -1100,
      `Illegal characters found in parameter '${name}'; legal range is '^[0-9]{1,20}$'.`,
    );
  }
  return Number(s);
}

/** A `limit`-like parameter: default when absent, capped at max, at least 1. */
function intParam(req: RestRequest, name: string, def: number, max: number): number {
  const n = optionalInt(req, name) ?? def;
  if (n < 1) throw new BinanceError(400, -1100, `Illegal characters found in parameter '${name}'.`);
  return Math.min(n, max);
}

/** windowSize of GET /api/v3/ticker: 1m-59m, 1h-23h, 1d-7d. */
function windowSize(s: string): number {
  const m = /^(\d{1,2})([mhd])$/.exec(s);
  const n = Number(m?.[1]);
  const unit = m?.[2];
  const ok =
    (unit === 'm' && n >= 1 && n <= 59) ||
    (unit === 'h' && n >= 1 && n <= 23) ||
    (unit === 'd' && n >= 1 && n <= 7);
  if (!ok) throw new BinanceError(400, -1100, "Illegal characters found in parameter 'windowSize'.");
  return n * (unit === 'm' ? MINUTE : unit === 'h' ? HOUR : DAY);
}
