/**
 * What one replayed trade makes the market streams say: the trade itself (unless a
 * skipTrades fault withholds it), then the book diff, partial books, book ticker, the
 * forming or closing klines and the tickers it changes. Only streams somebody subscribed to
 * are built. Real Binance batches depth and ticker updates (100 ms / 1 s); the fake sends
 * one per trade so a step() is observable deterministically.
 */
import {
  wsAggTrade,
  wsBookTicker,
  wsDepthUpdate,
  wsKline,
  wsMiniTicker,
  wsPartialDepth,
  wsTicker,
  wsTrade,
  wsWindowTicker,
} from './binancePayloads.js';
import { isKlineInterval } from './klineIntervals.js';
import type { MarketReplay } from './MarketReplay.js';
import type { StreamHub } from './StreamHub.js';
import type { DepthDiff } from './SyntheticBook.js';

const HOUR = 3_600_000;
const WINDOWS: Readonly<Record<string, number>> = { '1h': HOUR, '4h': 4 * HOUR, '1d': 24 * HOUR };

/** Order of the streams a trade updates, by kind (the book before candles before tickers). */
function rank(stream: string): number {
  if (stream.startsWith('depth')) return 0;
  if (stream === 'bookTicker') return 1;
  if (stream.startsWith('kline_')) return 2;
  return 3;
}

/** Publishes everything trade `index` of `m` changes. */
export function publishTradeEvents(
  hub: StreamHub,
  m: MarketReplay,
  index: number,
  withholdTrade: boolean,
): void {
  const s = m.streamId;
  const ts = m.tape.ts[index] as number;
  if (!withholdTrade) {
    hub.publish(`${s}@trade`, () => wsTrade(m, index));
    hub.publish(`${s}@aggTrade`, () => wsAggTrade(m, index));
  }
  const cursor = index + 1;
  let diff: DepthDiff | undefined;
  const streams = hub.subscribedStreams(s).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  for (const name of streams) {
    const stream = `${s}@${name}`;
    const partial = /^depth(5|10|20)(@100ms|@1000ms)?$/.exec(name);
    const kline = /^kline_(.+)$/.exec(name);
    const window = /^ticker_(1h|4h|1d)$/.exec(name);
    if (/^depth(@100ms|@1000ms)?$/.test(name)) {
      const d = (diff ??= m.book.diff(cursor));
      hub.publish(stream, () => wsDepthUpdate(m, d, ts));
    } else if (partial !== null) {
      hub.publish(stream, () => wsPartialDepth(m.book.snapshot(cursor, Number(partial[1]))));
    } else if (name === 'bookTicker') {
      hub.publish(stream, () => wsBookTicker(m, cursor));
    } else if (kline !== null && isKlineInterval(kline[1] as string)) {
      hub.publish(stream, () => wsKline(m, index, kline[1] as string));
    } else if (name === 'ticker') {
      hub.publish(stream, () => wsTicker(m, m.window(WINDOWS['1d'] as number, index)));
    } else if (name === 'miniTicker') {
      hub.publish(stream, () => wsMiniTicker(m, m.window(WINDOWS['1d'] as number, index)));
    } else if (window !== null) {
      const w = window[1] as string;
      hub.publish(stream, () => wsWindowTicker(m, m.window(WINDOWS[w] as number, index), w));
    }
  }
}
