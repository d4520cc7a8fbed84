import type { Exchange, Trade as CcxtTrade } from 'ccxt';
import { compareTradeIds } from '../../data/TradeBarBuilder.js';
import type { Trade } from '../../model/Bar.js';
import { toTrades } from './ccxtMappers.js';
import { isBinanceFamily } from './venueQuirks.js';

/**
 * How a venue numbers its public trades. `consecutive`: integer ids without holes per
 * symbol, so a missing trade shows as a jump and can be fetched by id (Binance).
 * `opaque`: ids only identify a trade; holes are found by time (after a reconnect).
 */
export type TradeIdScheme = 'consecutive' | 'opaque';

/** The trade id scheme of a ccxt exchange. */
export function tradeIdScheme(exchange: Exchange): TradeIdScheme {
  return isBinanceFamily(exchange) ? 'consecutive' : 'opaque';
}

/** One answer of fetchTradesFromId. */
export interface TradePage {
  /** Trades with id ≥ the id asked for, oldest first, each once. */
  readonly trades: Trade[];
  /** The page reaches the venue's newest trade: nothing more to fetch for now. */
  readonly latest: boolean;
  /**
   * `historical`: Binance's old-trade lookup by id (needs an API key, which market data
   * feeds do not hold); `recent`: its last 1000 trades; `aggregate`: its aggregate trades
   * by time, split back into trade ids (see `expandAggregate`).
   */
  readonly source: 'historical' | 'recent' | 'aggregate';
}

type Method = 'Trades' | 'HistoricalTrades' | 'AggTrades';

function binanceMethod(exchange: Exchange, symbol: string, what: Method): string {
  const market = exchange.market(symbol);
  const api = market.linear === true ? 'fapiPublic' : market.inverse === true ? 'dapiPublic' : 'public';
  return `${api}Get${what}`;
}

/**
 * Public trades of `symbol` from trade id `fromId` on, for venues with consecutive ids
 * (Binance), without credentials where possible:
 * 1. with an API key: the old-trade lookup by id, any age;
 * 2. the recent-trades list (last `limit`), when it reaches back to `fromId` — a reconnect
 *    or a skipped message is seconds old, so this is the usual case;
 * 3. aggregate trades from `sinceTs` (time of the last trade held), split back into ids;
 * 4. otherwise what the recent list has: the caller sees that it starts after `fromId`.
 * https://developers.binance.com/docs/binance-spot-api-docs/rest-api/market-data-endpoints
 */
export async function fetchTradesFromId(
  exchange: Exchange,
  symbol: string,
  fromId: number,
  limit: number,
  sinceTs?: number,
): Promise<TradePage> {
  // An id that is not an integer cannot be compared: it is kept, so the sequencer sees it
  // and the symbol goes on without a sequence instead of losing such trades unseen.
  const atLeast = (ts: readonly Trade[]): Trade[] =>
    ts.filter((t) => !/^\d+$/.test(t.id) || Number(t.id) >= fromId);
  if (typeof exchange.apiKey === 'string' && exchange.apiKey !== '') {
    const raw = await exchange.fetchTrades(symbol, undefined, limit, {
      fetchTradesMethod: binanceMethod(exchange, symbol, 'HistoricalTrades'),
      fromId,
    });
    const trades = byId(atLeast(toTrades(raw, symbol)));
    return { trades, latest: trades.length < limit, source: 'historical' };
  }
  const recent = await fetchRecentTrades(exchange, symbol, limit);
  const oldest = recent[0];
  if (oldest === undefined || Number(oldest.id) <= fromId || recent.length < limit || sinceTs === undefined) {
    return { trades: atLeast(recent), latest: true, source: 'recent' };
  }
  const agg = await fetchAggregatedSince(exchange, symbol, sinceTs, limit);
  const older = atLeast(agg).filter((t) => Number(t.id) < Number(oldest.id));
  const joined = older.length > 0 && Number(older.at(-1)?.id) + 1 === Number(oldest.id);
  return joined
    ? { trades: [...older, ...recent], latest: true, source: 'aggregate' }
    : { trades: older, latest: false, source: 'aggregate' };
}

/**
 * The trades of `symbol` before trade `beforeId` back to time `fromTs`, and whether that is
 * all of them (the venue's history may start later; older ones may be out of reach).
 */
export async function fetchTradesBefore(
  exchange: Exchange,
  symbol: string,
  beforeId: number,
  fromTs: number,
  limit: number,
): Promise<{ trades: Trade[]; complete: boolean }> {
  const recent = await fetchRecentTrades(exchange, symbol, limit);
  const pick = (ts: readonly Trade[]): Trade[] => ts.filter((t) => Number(t.id) < beforeId && t.ts >= fromTs);
  const oldest = recent[0];
  if (oldest === undefined || recent.length < limit || oldest.ts < fromTs) {
    return { trades: pick(recent), complete: true };
  }
  const agg = await fetchAggregatedSince(exchange, symbol, fromTs, limit);
  // The first trade at or after `fromTs` is already in the recent list: nothing is older.
  if (agg[0] !== undefined && Number(agg[0].id) >= Number(oldest.id))
    return { trades: pick(recent), complete: true };
  const older = agg.filter((t) => Number(t.id) < Number(oldest.id));
  const joined = older.length > 0 && Number(older.at(-1)?.id) + 1 === Number(oldest.id);
  if (joined) return { trades: pick([...older, ...recent]), complete: true };
  return { trades: pick(recent), complete: false };
}

/**
 * The latest public trades of `symbol`, oldest first. On Binance these come from the
 * recent-trades list, whose ids are trade ids (ccxt's default there is aggregate trades,
 * whose ids are not).
 */
export async function fetchRecentTrades(exchange: Exchange, symbol: string, limit: number): Promise<Trade[]> {
  const params = isBinanceFamily(exchange)
    ? { fetchTradesMethod: binanceMethod(exchange, symbol, 'Trades') }
    : {};
  const raw = await exchange.fetchTrades(symbol, undefined, limit, params);
  return isBinanceFamily(exchange) ? byId(toTrades(raw, symbol)) : byTime(toTrades(raw, symbol));
}

/**
 * Public trades of `symbol` from `since` (inclusive, venue time) on, oldest first, one
 * page of at most `limit` (venues with opaque ids).
 */
export async function fetchTradesSince(
  exchange: Exchange,
  symbol: string,
  since: number,
  limit: number,
): Promise<Trade[]> {
  const raw = await exchange.fetchTrades(symbol, since, limit);
  return byTime(toTrades(raw, symbol).filter((t) => t.ts >= since));
}

/** Binance aggregate trades from `since` (its window is one hour), split back into trade ids. */
async function fetchAggregatedSince(
  exchange: Exchange,
  symbol: string,
  since: number,
  limit: number,
): Promise<Trade[]> {
  const raw = await exchange.fetchTrades(symbol, since, limit, {
    fetchTradesMethod: binanceMethod(exchange, symbol, 'AggTrades'),
  });
  return byId(raw.flatMap((t) => expandAggregate(t, symbol)));
}

/**
 * An aggregate trade (one taker order filled at one price, ids `f`…`l`) as trades with
 * those ids: same time and price; its whole amount on the first id, 0 on the others (the
 * split is not published). Bars built from them equal bars built from the real trades.
 */
export function expandAggregate(t: CcxtTrade, symbol: string): Trade[] {
  const info = (t.info ?? {}) as Record<string, unknown>;
  const first = Number(info['f']);
  const last = Number(info['l']);
  const { timestamp, price, amount } = t;
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last) || last < first) return [];
  if (timestamp === undefined || price === undefined || amount === undefined) return [];
  const side = t.side === 'buy' ? 'BUY' : 'SELL';
  const out: Trade[] = [];
  for (let id = first; id <= last; id++) {
    out.push({ symbol, ts: timestamp, id: String(id), price, amount: id === first ? amount : 0, side });
  }
  return out;
}

function byId(ts: Trade[]): Trade[] {
  return ts.sort((a, b) => Number(a.id) - Number(b.id) || compareTradeIds(a.id, b.id));
}

function byTime(ts: Trade[]): Trade[] {
  return ts.sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
