import type { Exchange } from 'ccxt';
import type { Logger } from 'pino';
import { isoTime, timeframeToMs } from '../core/time.js';
import type { Millis } from '../core/time.js';
import { bucketStart } from '../data/bucketStart.js';
import { downloadCandles } from '../exchanges/ccxt/downloadCandles.js';
import type { Clock } from '../kernel/Clock.js';
import type { Bar } from '../model/Bar.js';
import { barAt, seriesOfBars } from '../model/BarSeries.js';
import type { TradingNode } from '../node/TradingNode.js';
import type { CandleStore } from '../storage/sqlite/CandleStore.js';

/**
 * Most base bars fetched per symbol (20 requests of 1000 candles on Binance): a 1d strategy
 * beside a 1m one would otherwise want 300 days of minutes.
 */
export const MAX_WARMUP_BASE_BARS = 20_000;

/** One strategy deployment as warm-up needs it. */
export interface WarmUpDeployment {
  readonly symbols: readonly string[];
  readonly timeframe: string;
}

/** Where a symbol's warm-up history starts; it ends where the bar forming at the start begins. */
export interface WarmUpWindow {
  readonly symbol: string;
  readonly from: Millis;
  readonly until: Millis;
  /** The window was cut to MAX_WARMUP_BASE_BARS base bars. */
  readonly truncated: boolean;
}

/**
 * The history each symbol needs so every strategy trading it has `bars` closed bars of its own
 * timeframe, plus the part of its current (forming) bar that has closed at the base timeframe.
 * Windows start on a bucket boundary of each strategy's timeframe, so the higher bars the data
 * engine builds from them are whole; they end at the start of the base bar forming now (the
 * live feed delivers that one).
 */
export function warmUpWindows(
  deployments: readonly WarmUpDeployment[],
  baseTimeframe: string,
  bars: number,
  now: Millis,
): WarmUpWindow[] {
  const baseMs = timeframeToMs(baseTimeframe);
  const until = bucketStart(now, baseMs);
  const wanted = new Map<string, { from: number; longestMs: number }>();
  for (const d of deployments) {
    const tfMs = timeframeToMs(d.timeframe);
    const from = bucketStart(until, tfMs) - bars * tfMs;
    for (const symbol of d.symbols) {
      const w = wanted.get(symbol);
      wanted.set(symbol, {
        from: Math.min(w?.from ?? from, from),
        longestMs: Math.max(w?.longestMs ?? tfMs, tfMs),
      });
    }
  }
  return [...wanted].map(([symbol, { from, longestMs }]) => {
    const floor = until - MAX_WARMUP_BASE_BARS * baseMs;
    if (from >= floor) return { symbol, from, until, truncated: false };
    // Cut, then moved up to a boundary of the longest timeframe: no partial first higher bar.
    let start = bucketStart(floor, longestMs);
    if (start < floor) start += longestMs;
    return { symbol, from: Math.min(start, until), until, truncated: true };
  });
}

/** What warm-up needs of the runtime. */
export interface WarmUpInput {
  readonly node: Pick<TradingNode, 'warmUpBar'>;
  readonly deployments: readonly WarmUpDeployment[];
  readonly baseTimeframe: string;
  /** Closed bars of each strategy's timeframe wanted (`marketData.warmupBars`). */
  readonly bars: number;
  /** The exchange of the market data (public, keyless); undefined when it serves none. */
  readonly exchange: Exchange | undefined;
  /** Stored candles (`qts data download`): the second source, kept up to date with what was fetched. */
  readonly candles: Pick<CandleStore, 'range' | 'upsert'> | undefined;
  /** Name the candles are stored under (the ccxt id). */
  readonly exchangeName: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** Each bar delivered, after the strategies saw it (the API's recent bars). */
  readonly onBar?: (bar: Bar) => void;
  /** Requests per page attempt before a symbol falls back to stored candles (default 2). */
  readonly attempts?: number;
}

/** What warm-up delivered per symbol, and from where. */
export interface WarmUpReport {
  readonly symbol: string;
  readonly bars: number;
  readonly source: 'exchange' | 'stored' | 'none';
  readonly from: Millis;
  readonly until: Millis;
}

/**
 * Feeds the strategies recent closed history before live data flows, as freqtrade's
 * startup candles and NautilusTrader's request_bars do: per symbol, the exchange's candles
 * (fetchOHLCV through ccxt's rate limiter — and, live, the request gate — paged, the forming
 * candle left out), else candles stored in the database for the same exchange, symbol and
 * timeframe, else nothing: a symbol whose history cannot be had starts cold, with a warning,
 * and never fails the start. All symbols' bars go to the node in time order
 * (`TradingNode.warmUpBar`: strategies and the bars built from them only). If a base bar
 * closed while history was fetched, its candle is fetched too, so the live feed continues
 * right after the last warm-up bar.
 */
export async function warmUpStrategies(input: WarmUpInput): Promise<WarmUpReport[]> {
  const { log } = input;
  if (input.bars <= 0) return [];
  const windows = warmUpWindows(input.deployments, input.baseTimeframe, input.bars, input.clock.now());
  const reports: WarmUpReport[] = [];
  const all: Bar[] = [];
  for (const w of windows) {
    if (w.truncated)
      log.warn(
        { symbol: w.symbol, from: isoTime(w.from), maxBars: MAX_WARMUP_BASE_BARS },
        `warm-up of ${w.symbol} cut to ${MAX_WARMUP_BASE_BARS} ${input.baseTimeframe} bars: strategies on long timeframes get fewer bars`,
      );
    const got = await history(input, w.symbol, w.from, w.until);
    reports.push({
      symbol: w.symbol,
      bars: got.bars.length,
      source: got.source,
      from: w.from,
      until: w.until,
    });
    all.push(...got.bars);
  }
  deliver(input, all);
  // The clock may have passed a base bar's end while the history was fetched: that bar is
  // history now too, and the live feed starts after it.
  const until = bucketStart(input.clock.now(), timeframeToMs(input.baseTimeframe));
  const tail: Bar[] = [];
  for (const [i, w] of windows.entries()) {
    const report = reports[i];
    if (until <= w.until || report === undefined || report.source !== 'exchange') continue;
    tail.push(...(await history(input, w.symbol, w.until, until)).bars);
  }
  deliver(input, tail);
  for (const r of reports)
    log.info(
      { symbol: r.symbol, bars: r.bars, source: r.source, from: isoTime(r.from), until: isoTime(r.until) },
      r.source === 'none'
        ? `warm-up: no history for ${r.symbol}: its strategies start cold`
        : `warm-up: ${r.bars} ${input.baseTimeframe} bars of ${r.symbol} from ${r.source === 'exchange' ? 'the exchange' : 'stored candles'}`,
    );
  return reports;
}

/** Bars of all symbols, oldest first (symbols of one time in the order given). */
function deliver(input: WarmUpInput, bars: Bar[]): void {
  bars.sort((a, b) => a.ts - b.ts);
  for (const bar of bars) {
    input.node.warmUpBar(bar);
    input.onBar?.(bar);
  }
}

/** Closed base bars of `symbol` opening in [from, until): the exchange's, else stored ones. */
async function history(
  input: WarmUpInput,
  symbol: string,
  from: Millis,
  until: Millis,
): Promise<{ bars: Bar[]; source: WarmUpReport['source'] }> {
  const { exchange, baseTimeframe: timeframe, log } = input;
  let reason = 'no exchange';
  if (exchange !== undefined) {
    const bars: Bar[] = [];
    try {
      await downloadCandles({
        exchange,
        symbol,
        timeframe,
        since: from,
        until,
        clock: input.clock,
        attempts: input.attempts ?? 2,
        backoff: { initialMs: 250, maxMs: 2_000 },
        exchangeName: input.exchangeName,
        store: {
          upsert: (_ex, _symbol, _tf, page) => void bars.push(...page),
          lastTimestamp: () => undefined,
        },
      });
      if (bars.length > 0) {
        keep(input, symbol, bars);
        return { bars, source: 'exchange' };
      }
      reason = `${exchange.id} has no ${timeframe} candles of ${symbol} since ${isoTime(from)}`;
    } catch (e) {
      reason = e instanceof Error ? e.message : String(e);
    }
  }
  const stored = storedBars(input, symbol, from, until);
  if (stored.length > 0) {
    const last = stored[stored.length - 1] as Bar;
    const missing = Math.round((until - last.ts) / timeframeToMs(timeframe)) - 1;
    log.warn(
      { symbol, reason, bars: stored.length, lastStored: isoTime(last.ts), missingAtEnd: missing },
      `warm-up of ${symbol}: exchange history unavailable (${reason}); using ${stored.length} stored ${timeframe} candles${missing > 0 ? `, the last ${missing} bar(s) before now missing` : ''}`,
    );
    return { bars: stored, source: 'stored' };
  }
  log.warn(
    { symbol, reason },
    `warm-up of ${symbol}: no history (${reason}; no stored candles): its strategies start cold`,
  );
  return { bars: [], source: 'none' };
}

function storedBars(input: WarmUpInput, symbol: string, from: Millis, until: Millis): Bar[] {
  if (input.candles === undefined) return [];
  try {
    const s = input.candles.range(input.exchangeName, symbol, input.baseTimeframe, from, until);
    return Array.from({ length: s.length }, (_, i) => barAt(s, i));
  } catch (e) {
    input.log.warn({ err: e, symbol }, `warm-up of ${symbol}: stored candles unreadable`);
    return [];
  }
}

/** Fetched history is stored too: the next start has it when the exchange does not answer. */
function keep(input: WarmUpInput, symbol: string, bars: readonly Bar[]): void {
  if (input.candles === undefined || bars.length === 0) return;
  const s = seriesOfBars(symbol, input.baseTimeframe, bars);
  try {
    input.candles.upsert(input.exchangeName, s);
  } catch (e) {
    input.log.warn({ err: e, symbol }, `warm-up of ${symbol}: fetched candles not stored`);
  }
}
