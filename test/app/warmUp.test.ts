import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ccxt from 'ccxt';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { TradingRuntime } from '../../src/app/TradingRuntime.js';
import { AppConfigSchema } from '../../src/config/configSchema.js';
import { loadBarSeries } from '../../src/data/loadBarSeries.js';
import { sliceSeries } from '../../src/data/sliceSeries.js';
import { barsTopic } from '../../src/kernel/topics.js';
import type { EngineStatus } from '../../src/api/EngineStatus.js';
import type { Bar } from '../../src/model/Bar.js';
import type { BarSeries } from '../../src/model/BarSeries.js';
import { CandleStore } from '../../src/storage/sqlite/CandleStore.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { FakeBinance } from '../support/fakeBinance/FakeBinance.js';
import { loadTradesCsv } from '../support/fakeBinance/loadTradesCsv.js';
import { HAS_SHARED_DATA, sharedFile } from '../support/sharedData.js';

const TRADES = sharedFile('crypto/trades/XRP_ETH-trades.csv');
const CANDLES = sharedFile('crypto/spot-1m/XRP_ETH-1m.csv');
const FAST = 5;
const SLOW = 20;
const WARMUP = 60;
const MIN = 60_000;

async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function sma(closes: Float64Array, end: number, n: number): number {
  let s = 0;
  for (let i = end - n + 1; i <= end; i++) s += closes[i] as number;
  return s / n;
}

/** +1 where the fast SMA crosses above the slow one at bar i, −1 below, 0 otherwise. */
function crossAt(c: BarSeries, i: number): number {
  const above = (k: number): boolean => sma(c.close, k, FAST) > sma(c.close, k, SLOW);
  const below = (k: number): boolean => sma(c.close, k, FAST) < sma(c.close, k, SLOW);
  if (above(i) && !above(i - 1)) return 1;
  if (below(i) && !below(i - 1)) return -1;
  return 0;
}

/**
 * The first bar j (with a whole warm-up window before it) where sma-cross, flat, would buy,
 * and where the warm-up window holds crosses of both kinds, so a strategy warmed up on it
 * asked for orders that must never be sent.
 */
function signalBar(c: BarSeries): number {
  for (let j = WARMUP + SLOW; j < c.length - 2; j++) {
    if (crossAt(c, j) !== 1) continue;
    const w0 = windowStart(c, j);
    const earlier: number[] = [];
    for (let k = w0 + SLOW; k < j; k++) earlier.push(crossAt(c, k));
    if (earlier.includes(1) && earlier.includes(-1)) return j;
  }
  throw new Error('no suitable signal bar in the data');
}

/**
 * Index of the first candle of the warm-up window before bar j: WARMUP minutes (a minute
 * without trades has no candle, at the exchange as in the data file).
 */
function windowStart(c: BarSeries, j: number): number {
  let i = j;
  while (i > 0 && (c.ts[i - 1] as number) >= (c.ts[j] as number) - WARMUP * MIN) i--;
  return i;
}

interface CaseResult {
  readonly warmBars: number;
  readonly firstLiveBar: Bar | undefined;
  /** Orders the OMS created by the time the first live bar was handled. */
  readonly ordersAfterFirstLiveBar: number;
  readonly lastPriceAfterStart: number | undefined;
  readonly equitySamplesAfterStart: number;
  readonly journaledOrders: { id: string; side: string }[];
  readonly storedCandles: number;
  readonly warnings: string[];
  /** GET /status's warm-up, overall and of the strategy, right after the start. */
  readonly warmUp: EngineStatus['warmUp'];
  readonly strategyWarmUp: EngineStatus['strategies'][number]['warmUp'] | undefined;
}

describe.skipIf(!HAS_SHARED_DATA)('strategy warm-up at the start of a shadow engine (fake Binance)', () => {
  const trades = HAS_SHARED_DATA ? loadTradesCsv(TRADES) : [];
  const candles = HAS_SHARED_DATA ? loadBarSeries(CANDLES).series : undefined;
  let fake: FakeBinance | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  async function runCase(opts: {
    warmupBars: number;
    storeCandles?: boolean;
    failKlines?: boolean;
    /** The exchange takes the klines requests and never answers them. */
    hangKlines?: boolean;
    warmupTimeoutMs?: number;
  }): Promise<CaseResult> {
    const c = candles as BarSeries;
    const j = signalBar(c);
    const dbPath = join(mkdtempSync(join(tmpdir(), 'qts-warmup-')), 'trading.db');
    if (opts.storeCandles === true) {
      // What `qts data download` left in the engine's database: the candles before the start.
      const db = openDatabase(dbPath);
      new CandleStore(db).upsert('binance', sliceSeries(c, (c.ts[j] as number) - 3 * WARMUP * MIN, c.ts[j]));
      db.close();
    }
    fake = await FakeBinance.start({ markets: [{ symbol: 'XRP/ETH', trades, startTime: c.ts[j] }] });
    const f = fake;
    if (opts.failKlines === true) f.faults.failRest('/api/v3/klines', 503, 1_000);
    if (opts.hangKlines === true) f.faults.hang('/api/v3/klines', Number.POSITIVE_INFINITY);
    const warnings: string[] = [];
    const log = pino(
      { level: 'warn' },
      { write: (line: string) => void warnings.push(String((JSON.parse(line) as { msg: unknown }).msg)) },
    );
    const config = AppConfigSchema.parse({
      mode: 'shadow',
      marketData: {
        source: 'exchange',
        warmupBars: opts.warmupBars,
        ...(opts.warmupTimeoutMs === undefined ? {} : { warmupTimeoutMs: opts.warmupTimeoutMs }),
      },
      account: { currency: 'ETH', initialCash: 10, commission: 0.001 },
      strategies: [
        {
          id: 'sma-xrp',
          strategy: 'sma-cross',
          symbols: ['XRP/ETH'],
          timeframe: '1m',
          params: { fast: FAST, slow: SLOW },
          sizing: 'fixed:100',
        },
      ],
      storage: { dbPath },
      risk: { staleDataMs: 600_000, priceBandPct: 0.5, maxOrdersPerMinute: 1_000_000 },
    });
    // The engine's wall clock stands just after the start of bar j: bars before it are history.
    const rt = await TradingRuntime.startShadow(config, {
      log,
      noHttp: true,
      noServices: true,
      wallClock: () => (c.ts[j] as number) + 1,
      exchangeFactory: async () => {
        const ex = new ccxt.pro.binance();
        await f.configure(ex);
        return ex;
      },
    });
    const warmBars = rt.recentBars.get('XRP/ETH', '1m').length;
    const status = rt.status();
    const lastPriceAfterStart = rt.node.lastPrice('XRP/ETH');
    const equitySamplesAfterStart = rt.equityHistory.range(undefined, undefined, 1_000).length;
    const live: Bar[] = [];
    let ordersAfterFirstLiveBar = -1;
    rt.node.bus.subscribe(barsTopic('XRP/ETH', '1m'), (b) => {
      live.push(b);
      // The strategy subscribed first: by now it has handled the bar.
      if (live.length === 1) ordersAfterFirstLiveBar = rt.node.oms.orderCounts().total;
    });
    await f.waitForSubscription('xrpeth@trade', 10_000);
    // Publish bar j's trades and the first trade of the next bar: bar j closes.
    const firstOfNext = trades.findIndex((t) => t.ts >= (c.ts[j + 1] as number));
    f.step(firstOfNext - f.cursor('XRP/ETH') + 1);
    await until(() => live.length >= 1, 'the first live bar');
    await rt.stop();
    const db = openDatabase(dbPath);
    const journaledOrders = db.prepare('SELECT id, side FROM orders ORDER BY id').all() as {
      id: string;
      side: string;
    }[];
    const storedCandles = new CandleStore(db).count('binance', 'XRP/ETH', '1m');
    db.close();
    return {
      warmBars,
      firstLiveBar: live[0],
      ordersAfterFirstLiveBar,
      lastPriceAfterStart,
      equitySamplesAfterStart,
      journaledOrders,
      storedCandles,
      warnings,
      warmUp: status.warmUp,
      strategyWarmUp: status.strategies.find((s) => s.id === 'sma-xrp')?.warmUp,
    };
  }

  it('warmed up from the exchange, the first live bar already trades the signal; history sends, journals and marks nothing', async () => {
    const c = candles as BarSeries;
    const j = signalBar(c);
    const history = j - windowStart(c, j);
    expect(history).toBeGreaterThan(SLOW);
    const warm = await runCase({ warmupBars: WARMUP });
    // The strategy saw the closed bars of the window before the start (the forming one left out)…
    expect(warm.warmBars).toBe(history);
    // …while the portfolio was not priced by them and no equity sample was taken.
    expect(warm.lastPriceAfterStart).toBeUndefined();
    expect(warm.equitySamplesAfterStart).toBe(0);
    // The live feed continues right after the history: its first bar is bar j.
    expect(warm.firstLiveBar?.ts).toBe(c.ts[j]);
    // The cross of bar j buys at once; the crosses inside the warm-up window sent nothing.
    expect(warm.ordersAfterFirstLiveBar).toBe(1);
    expect(warm.journaledOrders).toEqual([{ id: expect.any(String) as string, side: 'BUY' }]);
    // What was fetched is kept for the next start.
    expect(warm.storedCandles).toBe(history);
    // GET /status tells where the history came from, how much each strategy got, and when.
    expect(warm.warmUp).toMatchObject({
      state: 'done',
      bars: WARMUP,
      timedOut: false,
      symbols: [{ symbol: 'XRP/ETH', source: 'exchange', baseBars: history }],
    });
    expect(warm.warmUp.finishedAt).toBeGreaterThanOrEqual(warm.warmUp.startedAt ?? Infinity);
    expect(warm.strategyWarmUp).toEqual({
      bars: history,
      symbols: [{ symbol: 'XRP/ETH', source: 'exchange', bars: history }],
    });

    // The same start cold (warm-up off), as before this feature: bar j cannot trade yet.
    const cold = await runCase({ warmupBars: 0 });
    expect(cold.warmBars).toBe(0);
    expect(cold.firstLiveBar?.ts).toBe(c.ts[j]);
    expect(cold.ordersAfterFirstLiveBar).toBe(0);
    expect(cold.journaledOrders).toEqual([]);
    expect(cold.warmUp).toMatchObject({ state: 'off', startedAt: null, finishedAt: null, symbols: [] });
    expect(cold.warmUp.detail).toContain('warmupBars is 0');
    expect(cold.strategyWarmUp).toBeNull();
  }, 60_000);

  it('falls back to stored candles when the exchange refuses its history, and starts cold when there are none', async () => {
    const c = candles as BarSeries;
    const j = signalBar(c);
    const history = j - windowStart(c, j);
    const stored = await runCase({ warmupBars: WARMUP, storeCandles: true, failKlines: true });
    expect(stored.warmBars).toBe(history);
    expect(stored.ordersAfterFirstLiveBar).toBe(1);
    expect(stored.warnings.some((w) => w.includes(`using ${history} stored 1m candles`))).toBe(true);
    expect(stored.warmUp).toMatchObject({
      state: 'done',
      timedOut: false,
      symbols: [{ symbol: 'XRP/ETH', source: 'stored', baseBars: history }],
    });
    expect(stored.strategyWarmUp).toEqual({
      bars: history,
      symbols: [{ symbol: 'XRP/ETH', source: 'stored', bars: history }],
    });

    const none = await runCase({ warmupBars: WARMUP, failKlines: true });
    expect(none.warmBars).toBe(0);
    expect(none.ordersAfterFirstLiveBar).toBe(0);
    expect(none.warnings.some((w) => w.includes('start cold'))).toBe(true);
    expect(none.warmUp).toMatchObject({
      state: 'done',
      symbols: [{ symbol: 'XRP/ETH', source: 'none', baseBars: 0 }],
    });
    expect(none.strategyWarmUp).toEqual({
      bars: 0,
      symbols: [{ symbol: 'XRP/ETH', source: 'none', bars: 0 }],
    });
  }, 60_000);

  it('bounds the fetch: an exchange that never answers its klines delays the start by warmupTimeoutMs at most, then stored candles or none are used', async () => {
    const c = candles as BarSeries;
    const j = signalBar(c);
    const history = j - windowStart(c, j);
    const stored = await runCase({
      warmupBars: WARMUP,
      storeCandles: true,
      hangKlines: true,
      warmupTimeoutMs: 1_000,
    });
    expect(stored.warmBars).toBe(history);
    expect(stored.ordersAfterFirstLiveBar).toBe(1);
    expect(stored.warnings.some((w) => w.includes('warm-up timed out after 1000 ms'))).toBe(true);
    expect(stored.warnings.some((w) => w.includes('took longer than 1000 ms'))).toBe(true);
    expect(stored.warmUp).toMatchObject({
      state: 'done',
      timeoutMs: 1_000,
      timedOut: true,
      symbols: [{ symbol: 'XRP/ETH', source: 'stored', baseBars: history }],
    });
    expect(stored.warmUp.detail).toContain('timed out after 1000 ms');
    expect(stored.strategyWarmUp?.bars).toBe(history);

    const none = await runCase({ warmupBars: WARMUP, hangKlines: true, warmupTimeoutMs: 1_000 });
    expect(none.warmBars).toBe(0);
    expect(none.firstLiveBar?.ts).toBe(c.ts[j]);
    expect(none.ordersAfterFirstLiveBar).toBe(0);
    expect(none.warnings.some((w) => w.includes('start cold'))).toBe(true);
    expect(none.warmUp).toMatchObject({
      timedOut: true,
      symbols: [{ symbol: 'XRP/ETH', source: 'none', baseBars: 0 }],
    });
    expect(none.strategyWarmUp?.bars).toBe(0);
  }, 60_000);

  it('a stop asked for during warm-up ends the start at once: no live feed, nothing delivered, the run recorded as stopped', async () => {
    const c = candles as BarSeries;
    const j = signalBar(c);
    const dbPath = join(mkdtempSync(join(tmpdir(), 'qts-warmup-')), 'trading.db');
    fake = await FakeBinance.start({ markets: [{ symbol: 'XRP/ETH', trades, startTime: c.ts[j] }] });
    const f = fake;
    f.faults.hang('/api/v3/klines', Number.POSITIVE_INFINITY);
    const stop = new AbortController();
    // The user presses Ctrl-C while the exchange sits on the history request.
    f.onRequest((e) => {
      if (e.path.startsWith('/api/v3/klines')) stop.abort();
    });
    const lines: string[] = [];
    const log = pino(
      { level: 'info' },
      { write: (line: string) => void lines.push(String((JSON.parse(line) as { msg: unknown }).msg)) },
    );
    const config = AppConfigSchema.parse({
      mode: 'shadow',
      // A bound far beyond the test: only the stop can end the warm-up.
      marketData: { source: 'exchange', warmupBars: WARMUP, warmupTimeoutMs: 600_000 },
      account: { currency: 'ETH', initialCash: 10, commission: 0.001 },
      strategies: [
        { id: 'sma-xrp', strategy: 'sma-cross', symbols: ['XRP/ETH'], timeframe: '1m', params: {} },
      ],
      storage: { dbPath },
    });
    const rt = await TradingRuntime.startShadow(config, {
      log,
      noHttp: true,
      noServices: true,
      signal: stop.signal,
      wallClock: () => (c.ts[j] as number) + 1,
      exchangeFactory: async () => {
        const ex = new ccxt.pro.binance();
        await f.configure(ex);
        return ex;
      },
    });
    expect(stop.signal.aborted).toBe(true);
    // Nothing of the abandoned history reached the strategies, and the live feed never started.
    expect(rt.recentBars.get('XRP/ETH', '1m')).toHaveLength(0);
    expect(f.subscriberCount('xrpeth@trade')).toBe(0);
    expect(f.log.some((e) => e.kind === 'ws')).toBe(false);
    expect(lines.some((l) => l.includes('start cold'))).toBe(false);
    expect(lines).toContain('stop asked for while starting: the engine stops before trading');
    await rt.stop(); // a second stop is harmless
    const db = openDatabase(dbPath);
    const runs = db.prepare('SELECT status FROM runs').all() as { status: string }[];
    db.close();
    expect(runs).toEqual([{ status: 'STOPPED' }]);
  }, 60_000);
});
