import type { Fixed, Numeric } from '../core/Fixed.js';
import { formatFixed, toFixed, toNumber } from '../core/Fixed.js';
import { ClassKeeper } from '../core/ClassKeeper.js';
import { LastTwo } from '../core/LastTwo.js';
import { QtsError } from '../core/QtsError.js';
import { timeframeToMs } from '../core/time.js';
import { mergeByTime } from '../data/mergeByTime.js';
import { StrategyWarnings } from './StrategyWarnings.js';
import { TestClock } from '../kernel/Clock.js';
import { ORDER_EVENTS } from '../kernel/topics.js';
import type { Trade } from '../model/Bar.js';
import type { BarSeries } from '../model/BarSeries.js';
import { repeatedSymbol, seriesBarAt } from '../model/BarSeries.js';
import type { InstrumentSpec } from '../model/Instrument.js';
import { makeInstrument } from '../model/Instrument.js';
import { curveBuffers } from './CurveBuffers.js';
import type { TradingNode } from '../node/TradingNode.js';
import type { SizingSpec } from '../portfolio/Sizer.js';
import type { RiskLimits } from '../risk/preTradeRules.js';
import type { FillModelConfig } from '../sim/SimulatedVenue.js';
import type { SimulatedVenue } from '../sim/SimulatedVenue.js';
import { DEFAULT_FILL_MODEL } from '../sim/SimulatedVenue.js';
import type { AnyStrategyClass } from '../strategy/Strategy.js';
import type { BacktestReport } from './BacktestReport.js';
import { buildRunReport } from './BacktestReport.js';
import { validateParams } from './validateParams.js';
import { buildEngine, feeRates } from './buildEngine.js';
import { roundTripsFromFills } from './roundTrips.js';
import { dustAfterFills } from './dustAfterFills.js';
import { TradeLog } from './TradeLog.js';
import { openPartlyFilled } from './openPartlyFilled.js';
import type { EquityCurve, FillRecord } from './types.js';
import { FillTape, fillRecords } from './FillTape.js';
import { BarLoop, replayArriving, replaySingle } from './BarLoop.js';
import type { FuturesBacktestConfig } from './FuturesRun.js';

export interface BacktestConfig {
  /** One series per symbol, all at the same base timeframe. */
  readonly series: readonly BarSeries[];
  readonly strategy: AnyStrategyClass;
  /** Raw parameters; validated (and defaulted) by the strategy's zod schema. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly initialCash: Numeric;
  /** Account currency; defaults to the settle currency of the first symbol. */
  readonly currency?: string;
  /** Fee rate for maker and taker fills (overrides instrument specs). */
  readonly commission?: number;
  /** Fee rate of maker fills (resting limit orders); overrides `commission` for that side. */
  readonly makerFee?: number;
  /** Fee rate of taker fills (market orders, triggered stops); overrides `commission` for that side. */
  readonly takerFee?: number;
  readonly instruments?: readonly InstrumentSpec[];
  readonly fill?: Partial<FillModelConfig>;
  readonly sizing: SizingSpec;
  readonly seed?: number;
  readonly riskLimits?: RiskLimits;
  readonly dataFiles?: readonly string[];
  /**
   * What the data loaders warned about, for the report. A function is called once the last bar
   * is in: a streamed load (see `awaitBars`) knows its warnings only then.
   */
  readonly warnings?: readonly string[] | (() => readonly string[]);
  /**
   * For a series still being written by another thread (CandleCsvStream): returns once the
   * first `count` bars of the series are in, and is called before the run reads any bar it
   * has not covered. One series only.
   */
  readonly awaitBars?: (count: number) => void;
  /**
   * Public trades to replay (sorted by time), for strategies that read the tape: each is
   * published before the bar whose period it falls in closes. They move last prices but
   * fill nothing: the simulated venue matches on bars.
   */
  readonly trades?: readonly Trade[];
  /** Called now and then with bars done and total (progress bars). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Perpetuals: leverage, margin mode, funding and mark histories (the report gains `futures`). */
  readonly futures?: FuturesBacktestConfig;
}

export interface BacktestResult {
  readonly report: BacktestReport;
  readonly fills: readonly FillRecord[];
  readonly tradeLog: string;
  /** The engine as the run left it (portfolio, counts); its closed orders are not kept. */
  readonly node: TradingNode;
}

/**
 * Runs a strategy over history through the full engine (bus, data engine, strategy,
 * risk, OMS, simulated venue, ledger) on a TestClock. A pure function of its inputs: the
 * same series, parameters and seed give a byte-identical trade log.
 */
export function runBacktest(cfg: BacktestConfig): BacktestResult {
  if (cfg.series.length === 0) throw new QtsError('ERR_BACKTEST_NO_DATA', 'no data series given');
  const timeframe = (cfg.series[0] as BarSeries).timeframe;
  for (const s of cfg.series) {
    if (s.timeframe !== timeframe) {
      throw new QtsError(
        'ERR_BACKTEST_TIMEFRAMES',
        `all series must share one timeframe (${s.symbol} is ${s.timeframe}, expected ${timeframe})`,
      );
    }
  }
  const repeated = repeatedSymbol(cfg.series);
  if (repeated !== undefined) {
    const symbol = (cfg.series[repeated[1]] as BarSeries).symbol;
    throw new QtsError('ERR_BACKTEST_DUPLICATE_SYMBOL', `${symbol} is given twice: one series per symbol`);
  }
  if (cfg.awaitBars !== undefined && cfg.series.length !== 1)
    throw new QtsError('ERR_BACKTEST_STREAM', 'a streamed series must be the only one of its run');
  const params = validateParams(cfg.strategy, cfg.params);
  const tfMs = timeframeToMs(timeframe);
  const fees = feeRates(cfg);
  const instruments = cfg.series.map((s) => {
    // The symbol of a candle file comes from its name (ETH_BTC-5m.csv → ETH/BTC); one that
    // says no pair (prices.csv → PRICES) leaves no quote currency to hold cash in.
    if (!/^[^/:]+\/[^/:]+(:[^/:]+)?$/.test(s.symbol))
      throw new QtsError(
        'ERR_BACKTEST_SYMBOL',
        `${s.symbol} is not a BASE/QUOTE symbol: name a candle file for its pair, like BTC_USDT-1h.csv (BTC/USDT)`,
      );
    const spec = cfg.instruments?.find((i) => i.symbol === s.symbol) ?? { symbol: s.symbol };
    return makeInstrument({
      ...spec,
      ...(fees.maker === undefined ? {} : { makerFee: fees.maker }),
      ...(fees.taker === undefined ? {} : { takerFee: fees.taker }),
    });
  });
  const currency = cfg.currency ?? (instruments[0] as (typeof instruments)[number]).settle;
  cfg.awaitBars?.(1);
  const first = cfg.series.reduce((m, s) => Math.min(m, s.length > 0 ? (s.ts[0] as number) : m), Infinity);
  const clock = new TestClock(Number.isFinite(first) ? first : 0);
  const strategyWarnings = new StrategyWarnings();
  const { node, venue, futures, fill } = buildEngine(cfg, instruments, currency, clock, strategyWarnings);
  const tape = new FillTape();
  node.bus.subscribe(ORDER_EVENTS, tape.record);
  futures?.attach(venue, tape.record);

  for (const s of cfg.series) node.registerFeed(s.symbol, s.timeframe);
  node.addStrategy({
    id: cfg.strategy.id,
    strategyClass: cfg.strategy,
    params,
    symbols: cfg.series.map((s) => s.symbol),
    timeframe,
  });
  node.start();

  const total = cfg.series.reduce((n, s) => n + s.length, 0);
  const curve: EquityCurve = curveBuffers.take(total);
  const loop = new BarLoop(
    clock,
    venue,
    node,
    tape,
    curve,
    futures,
    tradeReplay(cfg, clock, node),
    cfg.onProgress,
    tfMs,
    total,
  );
  if (cfg.series.length === 1) {
    const s = cfg.series[0] as BarSeries;
    if (cfg.awaitBars === undefined) replaySingle(s, loop);
    else replayArriving(s, loop, cfg.awaitBars);
  } else {
    const order = mergeByTime(cfg.series);
    for (let k = 0; k < order.seriesIndex.length; k++) {
      const s = cfg.series[order.seriesIndex[k] as number] as BarSeries;
      loop.step(seriesBarAt(s, order.barIndex[k] as number));
    }
  }
  const barsInMarket = loop.barsInMarket;
  node.stop();
  cfg.onProgress?.(total, total);

  // A long/flat strategy sells exactly the quantity it bought, and fees repeat.
  const amounts = new LastTwo<Fixed, number>(toNumber);
  const fills = fillRecords(tape, amounts);
  const tradeLog = new TradeLog(tape.events);
  // Trips still open are marked at the last close, at the time that close is known: the end
  // of the last bar, when fills of that bar are stamped too (its open time made a trip
  // marked there look a bar shorter than one closed by a fill on the same bar).
  const lastPrices = new Map<string, { price: number; ts: number; barIndex: number }>();
  for (const s of cfg.series) {
    if (s.length > 0)
      lastPrices.set(s.symbol, {
        price: s.close[s.length - 1] as number,
        ts: (s.ts[s.length - 1] as number) + tfMs,
        barIndex: tape.barIndex - 1,
      });
  }
  const counts = node.oms.orderCounts();
  // Every fee in the account currency, a fee taken in the coin valued at its fill's price (the
  // ledger's feesPaid(currency) alone left coin fees out: 0 for a run paying every fee in ETH).
  const feesPaid = toNumber(node.portfolio.ledger.feesInSettle(currency));
  const report = buildRunReport({
    strategy: cfg.strategy.id,
    params: params as Record<string, unknown>,
    symbols: cfg.series.map((s) => s.symbol),
    timeframe,
    dataFiles: [...(cfg.dataFiles ?? [])],
    seed: cfg.seed ?? 0,
    fill: cfg.fill?.fillAt ?? DEFAULT_FILL_MODEL.fillAt,
    commission: cfg.commission ?? null,
    makerFee: fees.maker ?? null,
    takerFee: fees.taker ?? null,
    slippage: fill.slippage,
    initialCash: toNumber(toFixed(cfg.initialCash)),
    currency,
    curve,
    fills,
    trips: roundTripsFromFills(fills, lastPrices, dustAfterFills(tape.events, instruments)),
    ordersFilled: counts.filled,
    ordersTotal: counts.total,
    ordersDenied: counts.denied,
    ordersOpen:
      counts.total - counts.filled - counts.denied - counts.rejected - counts.canceled - counts.expired,
    ordersPartlyFilled: counts.partlyFilled,
    ordersOpenPartlyFilled: openPartlyFilled(node.oms.openOrders()),
    ordersRefused: strategyWarnings.refusedByCode(),
    feesPaid,
    barsInMarket,
    finalEquity: node.portfolio.equity(),
    finalEquityExact: formatFixed(node.portfolio.equityExact()),
    tradeLogSha256: tradeLog.sha256(),
    // The data's warnings first (what the CLI may have printed already), then the strategy's.
    warnings: [
      ...(typeof cfg.warnings === 'function' ? cfg.warnings() : (cfg.warnings ?? [])),
      ...strategyWarnings.list(),
    ],
    prices: cfg.series.map((s) => ({ symbol: s.symbol, ts: s.ts, close: s.close })),
    ...(futures === undefined ? {} : { futures: futures.stats() }),
  });
  releaseHistory(tape, node, venue);
  LAST_LOOP.keep(loop);
  curveBuffers.give(curve);
  return {
    report,
    fills,
    // Decoded only when read: the report carries the log's hash.
    get tradeLog(): string {
      return tradeLog.toString();
    },
    node,
  };
}

/**
 * Drops what a finished run kept only to look up its past: the fill events (the fill records
 * and the trade log are made), closed orders, the venue's memory of them. Engine objects that
 * lived long enough to be promoted (V8 also pretenures allocation sites whose objects tend to
 * survive) are scanned by every young-generation collection until the next full one, dead or
 * not, and keep what they point to alive: an optimizer running one backtest after another
 * copied each finished run's order history through several collections (with 20k-bar runs,
 * 5.2 MB copied per collection and 13 ms pauses; 0.5 MB and 1.8 ms with the history dropped).
 * The node stays usable (portfolio, counts, open orders); closed orders are no longer found by id.
 */
function releaseHistory(tape: FillTape, node: TradingNode, venue: SimulatedVenue): void {
  tape.events.length = 0;
  tape.bars.length = 0;
  node.oms.forgetClosed();
  venue.forgetClosed();
}

/** Feeds the configured trades printed before `until` (a bar's close time) to the node. */
function tradeReplay(
  cfg: BacktestConfig,
  clock: TestClock,
  node: TradingNode,
): ((until: number) => void) | undefined {
  const trades = cfg.trades;
  if (trades === undefined || trades.length === 0) return undefined;
  const symbols = new Set(cfg.series.map((s) => s.symbol));
  for (const t of trades) {
    if (!symbols.has(t.symbol))
      throw new QtsError(
        'ERR_BACKTEST_TRADES',
        `trades of ${t.symbol} have no candle series in this backtest`,
      );
  }
  let next = 0;
  return (until) => {
    while (next < trades.length && (trades[next] as Trade).ts < until) {
      const t = trades[next++] as Trade;
      if (t.ts > clock.now()) clock.advanceTo(t.ts);
      node.onTrade(t);
    }
  };
}

/**
 * The last run's bar loop and, through it, its engine (history already released), kept until the
 * next run replaces them so the classes of the loop, node, portfolio, OMS, venue and strategy
 * survive (see ClassKeeper). It also holds the reused curve buffers, the emptied fill tape and
 * the caller's progress callback; no bars of its own, though the venue's last bar points into
 * the run's series.
 */
const LAST_LOOP = new ClassKeeper<BarLoop>();
