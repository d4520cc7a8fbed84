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
import type { WarmUpDeployment } from './warmUpWindows.js';
import { MAX_WARMUP_BASE_BARS, warmUpWindows } from './warmUpWindows.js';

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
  /**
   * Bound on the whole fetch, every symbol together (`marketData.warmupTimeoutMs`): past it,
   * what was fetched (completed with stored candles), else stored candles, else nothing is used.
   */
  readonly timeoutMs: number;
  /** Aborted when the engine stops meanwhile: nothing more is fetched, nothing is delivered. */
  readonly signal?: AbortSignal;
}

/**
 * Where a symbol's warm-up history came from: the exchange, stored candles (alone, or
 * completing what the exchange served before it failed or the time ran out), or none (cold).
 */
export type WarmUpSource = 'exchange' | 'stored' | 'none';

/** What warm-up delivered per symbol, and from where. */
export interface WarmUpReport {
  readonly symbol: string;
  /** Base-timeframe bars delivered. */
  readonly bars: number;
  readonly source: WarmUpSource;
  readonly from: Millis;
  readonly until: Millis;
}

/** What a warm-up did. */
export interface WarmUpResult {
  readonly symbols: readonly WarmUpReport[];
  /** The fetch ran past `timeoutMs`: some history was taken from the store, or is missing. */
  readonly timedOut: boolean;
  /** The engine stopped meanwhile: nothing was delivered. */
  readonly stopped: boolean;
  /** Open time of the first base bar the live feed delivers (the history ends before it). */
  readonly until: Millis;
}

/**
 * Feeds the strategies recent closed history before live data flows, as freqtrade's
 * startup candles and NautilusTrader's request_bars do: per symbol, the exchange's candles
 * (fetchOHLCV through ccxt's rate limiter — and, live, the request gate — paged, the forming
 * candle left out), else candles stored in the database for the same exchange, symbol and
 * timeframe, else nothing: a symbol whose history cannot be had starts cold, with a warning,
 * and never fails the start. The whole fetch is bounded by `timeoutMs`: an exchange that
 * answers its markets but never its candles delays the start by that long at most. All
 * symbols' bars go to the node in time order (`TradingNode.warmUpBar`: strategies and the bars
 * built from them only). If a base bar closed while history was fetched, its candle is
 * fetched too, so the live feed continues right after the last warm-up bar.
 */
export async function warmUpStrategies(input: WarmUpInput): Promise<WarmUpResult> {
  const { log } = input;
  const baseMs = timeframeToMs(input.baseTimeframe);
  const start = bucketStart(input.clock.now(), baseMs);
  if (input.bars <= 0) return { symbols: [], timedOut: false, stopped: false, until: start };
  const bound = new FetchBound(input.timeoutMs, input.signal);
  const windows = warmUpWindows(input.deployments, input.baseTimeframe, input.bars, input.clock.now());
  const reports: WarmUpReport[] = [];
  const all: Bar[] = [];
  for (const w of windows) {
    if (w.truncated)
      log.warn(
        { symbol: w.symbol, from: isoTime(w.from), maxBars: MAX_WARMUP_BASE_BARS },
        `warm-up of ${w.symbol} cut to ${MAX_WARMUP_BASE_BARS} ${input.baseTimeframe} bars: strategies on long timeframes get fewer bars`,
      );
    const got = await history(input, w.symbol, w.from, w.until, bound);
    if (bound.stopped) return { symbols: [], timedOut: false, stopped: true, until: start };
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
  const until = bucketStart(input.clock.now(), baseMs);
  const tail: Bar[] = [];
  for (const [i, w] of windows.entries()) {
    const report = reports[i];
    if (until <= w.until || report === undefined || report.source !== 'exchange') continue;
    const got = await fetchExchange(input, w.symbol, w.until, until, bound);
    if (bound.stopped) return { symbols: reports, timedOut: false, stopped: true, until };
    if (got.error !== undefined)
      log.warn(
        { symbol: w.symbol, reason: got.error, from: isoTime(w.until), until: isoTime(until) },
        `warm-up of ${w.symbol}: the bar(s) closed while history was fetched are missing (${got.error})`,
      );
    keep(input, w.symbol, got.bars);
    tail.push(...got.bars);
  }
  deliver(input, tail);
  for (const r of reports)
    log.info(
      { symbol: r.symbol, bars: r.bars, source: r.source, from: isoTime(r.from), until: isoTime(r.until) },
      r.source === 'none'
        ? `warm-up: no history for ${r.symbol}: its strategies start cold`
        : `warm-up: ${r.bars} ${input.baseTimeframe} bars of ${r.symbol} from ${r.source === 'exchange' ? 'the exchange' : 'stored candles'}`,
    );
  if (bound.timedOut)
    log.warn(
      { timeoutMs: input.timeoutMs },
      `warm-up: the exchange's history took longer than ${input.timeoutMs} ms (marketData.warmupTimeoutMs); started with what was fetched or stored`,
    );
  return { symbols: reports, timedOut: bound.timedOut, stopped: false, until };
}

/**
 * The end of the warm-up fetch: the time limit, or the engine's stop. A request still in
 * flight then is abandoned (its answer, when it comes, is dropped).
 */
class FetchBound {
  readonly over: Promise<void>;
  private readonly signal: AbortSignal;

  constructor(
    readonly timeoutMs: number,
    private readonly stop: AbortSignal | undefined,
  ) {
    // AbortSignal.timeout's timer does not keep the process alive.
    const timeout = AbortSignal.timeout(timeoutMs);
    this.signal = stop === undefined ? timeout : AbortSignal.any([timeout, stop]);
    const signal = this.signal;
    this.over = new Promise((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  get ended(): boolean {
    return this.signal.aborted;
  }

  get stopped(): boolean {
    return this.stop?.aborted === true;
  }

  get timedOut(): boolean {
    return this.ended && !this.stopped;
  }

  /** Why no more is fetched. */
  get reason(): string {
    return this.stopped ? 'the engine is stopping' : `warm-up timed out after ${this.timeoutMs} ms`;
  }
}

/** Bars of all symbols, oldest first (symbols of one time in the order given). */
function deliver(input: WarmUpInput, bars: Bar[]): void {
  bars.sort((a, b) => a.ts - b.ts);
  for (const bar of bars) {
    input.node.warmUpBar(bar);
    input.onBar?.(bar);
  }
}

/**
 * The exchange's closed base bars of `symbol` opening in [from, until), until the fetch ends:
 * all of them, or the pages that arrived before an error or the end of the bound (`error`).
 */
async function fetchExchange(
  input: WarmUpInput,
  symbol: string,
  from: Millis,
  until: Millis,
  bound: FetchBound,
): Promise<{ bars: Bar[]; error?: string }> {
  const { exchange, baseTimeframe: timeframe } = input;
  if (exchange === undefined) return { bars: [], error: 'no exchange' };
  if (bound.ended) return { bars: [], error: bound.reason };
  const bars: Bar[] = [];
  let open = true;
  const download = downloadCandles({
    exchange: untilOver(exchange, () => open, bound),
    symbol,
    timeframe,
    since: from,
    until,
    clock: input.clock,
    attempts: input.attempts ?? 2,
    backoff: { initialMs: 250, maxMs: 2_000 },
    exchangeName: input.exchangeName,
    store: {
      upsert: (_ex, _symbol, _tf, page) => {
        // Past the bound, a late page ends the download instead of fetching the next one.
        if (!open) throw new Error(bound.reason);
        bars.push(...page);
      },
      lastTimestamp: () => undefined,
    },
  });
  try {
    const done = await Promise.race([download.then(() => true), bound.over.then(() => false)]);
    if (done) return { bars };
    // A request still in flight ends on its own (ccxt's timeout, or the exchange closed at stop).
    download.catch(() => undefined);
    return { bars: [...bars], error: bound.reason };
  } catch (e) {
    return { bars, error: e instanceof Error ? e.message : String(e) };
  } finally {
    open = false;
  }
}

/**
 * The exchange as the download sees it: once the fetch is over, its retry of a request that
 * was in flight fails at once instead of asking the exchange again.
 */
function untilOver(exchange: Exchange, open: () => boolean, bound: FetchBound): Exchange {
  const guarded = new Set<string | symbol>(['loadMarkets', 'fetchOHLCV']);
  return new Proxy(exchange, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (!guarded.has(key) || typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        if (!open()) return Promise.reject(new Error(bound.reason));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/**
 * Closed base bars of `symbol` opening in [from, until): the exchange's; where it cannot
 * serve them all (refusal, outage, the bound reached), stored candles complete what it served.
 */
async function history(
  input: WarmUpInput,
  symbol: string,
  from: Millis,
  until: Millis,
  bound: FetchBound,
): Promise<{ bars: Bar[]; source: WarmUpSource }> {
  const { exchange, baseTimeframe: timeframe, log } = input;
  const tfMs = timeframeToMs(timeframe);
  const fetched = await fetchExchange(input, symbol, from, until, bound);
  if (bound.stopped) return { bars: [], source: 'none' };
  keep(input, symbol, fetched.bars);
  if (fetched.error === undefined && fetched.bars.length > 0)
    return { bars: fetched.bars, source: 'exchange' };
  const reason =
    fetched.error ??
    `${exchange?.id ?? 'the exchange'} has no ${timeframe} candles of ${symbol} since ${isoTime(from)}`;
  const lastFetched = fetched.bars.at(-1);
  const stored = storedBars(input, symbol, lastFetched === undefined ? from : lastFetched.ts + tfMs, until);
  const bars = [...fetched.bars, ...stored];
  const last = bars.at(-1);
  if (last === undefined) {
    log.warn(
      { symbol, reason },
      `warm-up of ${symbol}: no history (${reason}; no stored candles): its strategies start cold`,
    );
    return { bars: [], source: 'none' };
  }
  const missing = Math.round((until - last.ts) / tfMs) - 1;
  const used =
    fetched.bars.length === 0
      ? `using ${stored.length} stored ${timeframe} candles`
      : `using the ${fetched.bars.length} ${timeframe} candles fetched and ${stored.length} stored`;
  log.warn(
    {
      symbol,
      reason,
      fetched: fetched.bars.length,
      stored: stored.length,
      lastBar: isoTime(last.ts),
      missingAtEnd: missing,
    },
    `warm-up of ${symbol}: exchange history unavailable (${reason}); ${used}${missing > 0 ? `, the last ${missing} bar(s) before now missing` : ''}`,
  );
  return { bars, source: stored.length > 0 ? 'stored' : 'exchange' };
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
