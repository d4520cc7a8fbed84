import type { RequestProblemHook } from '../exchanges/ccxt/requestProblem.js';
import type { Exchange } from 'ccxt';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/configSchema.js';
import { QtsError } from '../core/QtsError.js';
import type { MarketDataFeed, MarketDataListener } from '../data/MarketDataFeed.js';
import { loadBarSeries } from '../data/loadBarSeries.js';
import { CcxtMarketDataFeed } from '../exchanges/ccxt/CcxtMarketDataFeed.js';
import { createExchange } from '../exchanges/ccxt/createExchange.js';
import type { Clock } from '../kernel/Clock.js';
import type { Instrument } from '../model/Instrument.js';
import { ReplayClock } from '../kernel/ReplayClock.js';
import { ReplayFeed } from '../marketdata/ReplayFeed.js';
import { SyntheticFeed } from '../marketdata/SyntheticFeed.js';
import type { SyntheticMarketStore } from '../storage/sqlite/SyntheticMarketStore.js';
import { defaultInstruments, instrumentsFromMarkets } from './instrumentsFromMarkets.js';
import { planSyntheticStart } from './syntheticStart.js';

/** The market data a runtime got, and how honest it is about it. */
export interface MarketDataChoice {
  readonly feed: MarketDataFeed;
  readonly source: 'exchange' | 'replay' | 'synthetic';
  readonly detail: string;
  readonly instruments: Instrument[];
  /** The simulated venue matches on trade prints when the feed streams them, else on closed bars. */
  readonly matchOn: 'trades' | 'bars';
  readonly exchange: Exchange | undefined;
  /**
   * Replay: bar time, which the simulated venue and the strategies' timers run on (see
   * ReplayClock); it starts at the first replayed bar, where a backtest's clock starts.
   */
  readonly replayClock?: ReplayClock;
}

export interface SelectMarketDataInput {
  readonly config: AppConfig;
  readonly symbols: readonly string[];
  readonly timeframe: string;
  readonly listener: MarketDataListener;
  readonly log: Logger;
  /** The engine's clock: a synthetic market never delivers a bar before the clock has passed its end. */
  readonly clock: Clock;
  /**
   * Where an earlier synthetic market on this database stopped, and where this one records
   * its bars: a restart continues the walk. Without it the market starts afresh.
   */
  readonly syntheticStore?: Pick<SyntheticMarketStore, 'marks' | 'lastFills' | 'save'>;
  /** Tests hand in an exchange pointed at a local fake. */
  readonly exchangeFactory?: () => Promise<Exchange>;
  /** Live mode: only the exchange, never a fallback. */
  readonly allowFallback: boolean;
  /** Told of every failed exchange request of the feed (metrics). */
  readonly onRequestProblem?: RequestProblemHook;
}

const START_PRICES: Readonly<Record<string, number>> = { BTC: 30_000, ETH: 2_000, SOL: 100, BNB: 300 };

/**
 * How far, in seconds at `replayBarsPerSecond`, a synthetic market may start behind the clock:
 * a fresh database starts this much history before now (strategies warm up and trade within
 * about a minute), a restart catches up at most this much of the time it was stopped.
 */
const SYNTHETIC_CATCH_UP_SECONDS = 60;

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new QtsError('ERR_EXCHANGE_TIMEOUT', `${what} did not answer within ${ms} ms`)),
          ms,
        );
      }),
    ]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/**
 * Picks the market data source: the exchange when it answers; in `auto` mode, if it does
 * not, replay of the configured history files, else a seeded synthetic market — and says
 * so loudly, because paper results on fake data must never pass for real ones.
 */
export async function selectMarketData(input: SelectMarketDataInput): Promise<MarketDataChoice> {
  const { config, symbols, log } = input;
  const source = config.marketData.source;
  if (source === 'exchange' || source === 'auto') {
    let exchange: Exchange | undefined;
    try {
      exchange = input.exchangeFactory
        ? await input.exchangeFactory()
        : createExchange({ id: config.exchange.id, pro: true, sandbox: config.exchange.sandbox });
      await withTimeout(
        exchange.loadMarkets(),
        config.exchange.connectTimeoutMs,
        `${config.exchange.id} loadMarkets`,
      );
      const instruments = instrumentsFromMarkets(exchange, symbols);
      const feed = new CcxtMarketDataFeed({
        exchange,
        symbols,
        timeframes: [input.timeframe],
        listener: input.listener,
        staleAfterMs: config.risk.staleDataMs,
        seed: config.marketData.seed,
        ...(input.onRequestProblem ? { onRequestProblem: input.onRequestProblem } : {}),
      });
      return {
        feed,
        source: 'exchange',
        detail: `${exchange.id} public streams`,
        instruments,
        matchOn: 'trades',
        exchange,
      };
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      await exchange?.close?.().catch(() => undefined);
      if (source === 'exchange' || !input.allowFallback) {
        throw new QtsError(
          'ERR_MARKET_DATA_UNAVAILABLE',
          `market data from ${config.exchange.id} unavailable: ${reason}`,
        );
      }
      log.warn(
        { exchange: config.exchange.id, reason },
        `!!! ${config.exchange.id} is unreachable (${reason}): shadow trading falls back to ${
          config.marketData.replayFiles.length > 0 ? 'REPLAYED HISTORY' : 'A SYNTHETIC MARKET'
        } — results are not market results !!!`,
      );
      return config.marketData.replayFiles.length > 0
        ? replay(input)
        : synthetic(input, `fallback: ${reason}`);
    }
  }
  if (!input.allowFallback)
    throw new QtsError('ERR_MARKET_DATA_UNAVAILABLE', `live mode needs exchange market data, not ${source}`);
  return source === 'replay' ? replay(input) : synthetic(input, 'configured');
}

function replay(input: SelectMarketDataInput): MarketDataChoice {
  const files = input.config.marketData.replayFiles;
  if (files.length === 0)
    throw new QtsError('ERR_CONFIG', 'marketData.replayFiles is empty: nothing to replay');
  const series = files.map((f) => loadBarSeries(f).series);
  const symbols = series.map((s) => s.symbol);
  const feed = new ReplayFeed(series, input.listener, input.config.marketData.replayBarsPerSecond);
  const first = series.reduce((m, s) => (s.length > 0 ? Math.min(m, s.ts[0] as number) : m), Infinity);
  return {
    feed,
    source: 'replay',
    detail: `REPLAY of ${files.join(', ')}`,
    instruments: defaultInstruments(symbols, input.config.account.commission),
    matchOn: 'bars',
    exchange: undefined,
    replayClock: new ReplayClock(Number.isFinite(first) ? first : 0),
  };
}

function synthetic(input: SelectMarketDataInput, why: string): MarketDataChoice {
  const { config, clock, log, syntheticStore: store } = input;
  const { replayBarsPerSecond, seed } = config.marketData;
  const plan = planSyntheticStart({
    symbols: input.symbols,
    timeframe: input.timeframe,
    now: clock.now(),
    historyBars: Math.round(SYNTHETIC_CATCH_UP_SECONDS * replayBarsPerSecond),
    marks: store?.marks() ?? [],
    lastFills: store?.lastFills() ?? [],
    defaultPrice: (symbol) => START_PRICES[symbol.split('/')[0] ?? ''] ?? 100,
    seed,
  });
  const markets = input.symbols.map((symbol) => ({
    symbol,
    startPrice: plan.prices.get(symbol) ?? 100,
  }));
  const from = new Date(plan.startTs).toISOString();
  const prices = Object.fromEntries(markets.map((m) => [m.symbol, m.startPrice]));
  if (plan.storedAheadOfClock !== undefined)
    log.warn(
      { storedUpTo: new Date(plan.storedAheadOfClock).toISOString(), from, prices },
      'the stored synthetic market runs ahead of the wall clock (written by an older build whose synthetic clock ran fast, or the clock went back): it starts from its last prices as on a fresh database (the quick catch-up, then real time), so earlier fills may carry later times',
    );
  else if (plan.resumed)
    log.info(
      { from, prices, skippedBars: plan.skippedBars },
      plan.skippedBars > 0
        ? `synthetic market continues from its last prices; ${plan.skippedBars} bars of the stop are left out`
        : 'synthetic market continues after its last stored bar, from its last prices',
    );
  // Each closed bar becomes the resume point of the next start.
  const listener: MarketDataListener =
    store === undefined
      ? input.listener
      : {
          ...input.listener,
          onBar: (bar) => {
            input.listener.onBar(bar);
            if (bar.closed) store.save(bar);
          },
        };
  const feed = new SyntheticFeed({
    markets,
    timeframe: input.timeframe,
    sink: listener,
    clock,
    barsPerSecond: replayBarsPerSecond,
    seed: plan.seed,
    startTs: plan.startTs,
  });
  return {
    feed,
    source: 'synthetic',
    detail: `SYNTHETIC market (seed ${seed}; ${why}${plan.resumed ? '; continued' : ''})`,
    instruments: defaultInstruments(input.symbols, config.account.commission),
    matchOn: 'bars',
    exchange: undefined,
  };
}
