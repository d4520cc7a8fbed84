import type { OHLCV, OrderBook as CcxtOrderBook, Ticker as CcxtTicker, Trade as CcxtTrade } from 'ccxt';
import type { Bar, Trade } from '../../model/Bar.js';
import type { BookLevel, OrderBookView, Ticker } from '../../data/MarketDataFeed.js';

// ccxt's unified structures never leave this file: the rest of the system sees our types.

/** A ccxt public trade as ours; undefined when a field we need is missing. */
export function toTrade(t: CcxtTrade, symbol: string): Trade | undefined {
  const { id, timestamp, price, amount } = t;
  if (id === undefined || timestamp === undefined || price === undefined || amount === undefined)
    return undefined;
  if (!Number.isFinite(timestamp) || !Number.isFinite(price) || !Number.isFinite(amount)) return undefined;
  return { symbol, ts: timestamp, id: String(id), price, amount, side: t.side === 'buy' ? 'BUY' : 'SELL' };
}

/** ccxt trades as ours, dropping unusable ones. */
export function toTrades(list: readonly CcxtTrade[], symbol: string): Trade[] {
  const out: Trade[] = [];
  for (const t of list) {
    const x = toTrade(t, symbol);
    if (x !== undefined) out.push(x);
  }
  return out;
}

/** A ccxt candle `[ts, o, h, l, c, v]` as a bar; undefined when incomplete. */
export function toBar(c: OHLCV, symbol: string, timeframe: string, closed: boolean): Bar | undefined {
  const [ts, open, high, low, close, volume] = c;
  if (
    ts === undefined ||
    open === undefined ||
    high === undefined ||
    low === undefined ||
    close === undefined ||
    volume === undefined
  ) {
    return undefined;
  }
  return { symbol, timeframe, ts, open, high, low, close, volume, closed };
}

/** A ccxt ticker as ours; `receivedAt` stands in when the venue sends no time. */
export function toTicker(t: CcxtTicker, symbol: string, receivedAt: number): Ticker {
  return {
    symbol,
    ts: t.timestamp ?? receivedAt,
    bid: t.bid,
    bidSize: t.bidVolume,
    ask: t.ask,
    askSize: t.askVolume,
    last: t.last,
    baseVolume: t.baseVolume,
  };
}

/** The top `depth` levels of a ccxt order book. */
export function toBook(b: CcxtOrderBook, symbol: string, depth: number, receivedAt: number): OrderBookView {
  return {
    symbol,
    ts: b.timestamp ?? receivedAt,
    sequence: b.nonce,
    bids: levels(b.bids, depth),
    asks: levels(b.asks, depth),
  };
}

function levels(side: readonly [number | undefined, number | undefined][], depth: number): BookLevel[] {
  const out: BookLevel[] = [];
  for (const [price, amount] of side) {
    if (out.length >= depth) break;
    if (price === undefined || amount === undefined) continue;
    out.push([price, amount]);
  }
  return out;
}
