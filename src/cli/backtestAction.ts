import { toFixed } from '../core/Fixed.js';
import { isQtsError, QtsError } from '../core/QtsError.js';
import { isoTime } from '../core/time.js';
import type { BacktestReport } from '../backtest/BacktestReport.js';
import { stableJson } from '../backtest/BacktestReport.js';
import { renderHtmlReport } from '../backtest/htmlReport.js';
import { loadStrategyRef } from '../backtest/loadStrategyRef.js';
import type { BacktestConfig, BacktestResult } from '../backtest/runBacktest.js';
import { runBacktest } from '../backtest/runBacktest.js';
import { futuresBacktestConfig, futuresSummaryLines } from '../backtest/futuresBacktestConfig.js';
import type { CandleCsvStream } from '../data/CandleCsvStream.js';
import { DataErrorCode } from '../data/DataErrorCode.js';
import { dataFileList } from '../data/dataFileList.js';
import { parseDataFileName } from '../data/parseDataFileName.js';
import { loadTradesCsv } from '../data/loadTradesCsv.js';
import type { BarSeries } from '../model/BarSeries.js';
import { parseSizing } from '../portfolio/Sizer.js';
import { parseDateRange } from '../core/dateOption.js';
import { checkOneSlippageModel, slippageOf } from '../research/BacktestSettings.js';
import { loadResearchData } from '../research/loadResearchData.js';
import type { DataRangeCliOptions, FillCliOptions } from './backtestOptions.js';
import { parseParams } from './parseParams.js';
import { numberOption } from './plainNumber.js';
import { checkReportPaths, writeReportFile } from './reportFile.js';
import { createProgress } from './progress.js';

/** The options of `qts backtest`, as commander parses them. */
export interface BacktestOptions extends FillCliOptions, DataRangeCliOptions {
  data: string[];
  trades?: string[];
  strategy: string;
  params?: string;
  json?: string;
  html?: string;
  progress: boolean;
  market?: string;
  leverage?: string;
  margin?: string;
  funding?: string[];
  mark?: string[];
  mmr?: string;
}

/** The `--json` path that means stdout, as `-` does to every Unix tool. */
const STDOUT = '-';

/** What a run is, all but its candles and the warnings about them. */
type RunWithout = Omit<BacktestConfig, 'series' | 'warnings' | 'onProgress' | 'awaitBars'>;

/** The options checked and turned into a run, before any candle is read. */
interface Plan {
  readonly run: RunWithout;
  /** `--mmr`: one maintenance-margin rate for every symbol. */
  readonly mmr: number | undefined;
}

/**
 * `qts backtest` once its options are parsed: the run, then the summary and the reports.
 * `stream` is the one candle file already being read by a second thread, if it was started.
 */
export async function backtestAction(
  opts: BacktestOptions,
  stream: CandleCsvStream | undefined,
): Promise<void> {
  try {
    const plan = await planOf(opts);
    const streamed = stream === undefined ? undefined : await runStreamed(opts, plan, stream);
    const { result, series } = streamed ?? runLoaded(opts, plan);
    // The summary first: a report that cannot be written (a full disk) must not take the
    // run's figures with it, nor keep the other report from being written. With `--json -`
    // stdout carries the JSON alone (for `| jq`), and the summary goes to stderr.
    const jsonToStdout = opts.json === STDOUT;
    (jsonToStdout ? process.stderr : process.stdout).write(summary(result));
    const failures: unknown[] = [];
    const attempt = (write: () => void): void => {
      try {
        write();
      } catch (e) {
        failures.push(e);
      }
    };
    const json = opts.json;
    const html = opts.html;
    if (jsonToStdout) process.stdout.write(stableJson(result.report));
    else if (json !== undefined) attempt(() => writeReportFile(json, stableJson(result.report)));
    if (html !== undefined)
      attempt(() =>
        writeReportFile(
          html,
          renderHtmlReport(
            result.report,
            series.map((s) => ({ symbol: s.symbol, ts: s.ts, close: s.close })),
          ),
        ),
      );
    if (failures.length > 0) throw failures[0];
  } finally {
    stream?.stop();
  }
}

async function planOf(opts: BacktestOptions): Promise<Plan> {
  const json = opts.json === STDOUT ? undefined : opts.json;
  checkReportPaths({ json, html: opts.html }, [
    ...dataFileList(opts.data),
    ...(opts.trades ?? []),
    ...(opts.funding ?? []),
    ...(opts.mark ?? []),
  ]);
  const strategy = await loadStrategyRef(opts.strategy);
  const params = parseParams(opts.params);
  const commission = numberOption('commission', opts.commission, (n) => n >= 0 && n < 1);
  const cash = numberOption('cash', opts.cash, (n) => n > 0);
  const lot = numberOption('lot', opts.lot, (n) => n > 0);
  const seed = numberOption('seed', opts.seed, (n) => Number.isSafeInteger(n));
  const latencyMs = numberOption('latency', opts.latency, (n) => n >= 0);
  const { from, to } = parseDateRange(opts.from, opts.to);
  const bps = (name: string, text: string | undefined): number | null =>
    text === undefined ? null : numberOption(name, text, (n) => n >= 0 && n < 10_000);
  const slippageBps = bps('slippage-bps', opts.slippageBps);
  const spreadBps = bps('spread-bps', opts.spreadBps);
  checkOneSlippageModel(slippageBps, spreadBps);
  const slippage = slippageOf({ slippageBps, spreadBps });
  const rate = (name: string, text: string | undefined): number | undefined =>
    text === undefined ? undefined : numberOption(name, text, (n) => n >= 0 && n < 1);
  const makerFee = rate('maker-fee', opts.makerFee);
  const takerFee = rate('taker-fee', opts.takerFee);
  const volumeShare =
    opts.volumeShare === undefined
      ? null
      : numberOption('volume-share', opts.volumeShare, (n) => n > 0 && n <= 1);
  const mmr = opts.mmr === undefined ? undefined : numberOption('mmr', opts.mmr, (n) => n >= 0 && n < 1);
  const run: RunWithout = {
    strategy,
    params,
    initialCash: cash,
    commission,
    ...(makerFee === undefined ? {} : { makerFee }),
    ...(takerFee === undefined ? {} : { takerFee }),
    fill: { fillAt: opts.fill, intrabar: opts.intrabar, slippage, volumeShare, latencyMs },
    sizing: parseSizing(opts.sizing, toFixed(lot)),
    seed,
    dataFiles: dataFileList(opts.data),
    ...(opts.trades === undefined
      ? {}
      : {
          trades: opts.trades
            .flatMap((f) => loadTradesCsv(f))
            .filter((t) => (from === undefined || t.ts >= from) && (to === undefined || t.ts < to))
            .sort((a, b) => a.ts - b.ts),
        }),
  };
  return { run, mmr };
}

/** Each file loaded whole (resampled and sliced as asked), then the run. */
function runLoaded(opts: BacktestOptions, plan: Plan): { result: BacktestResult; series: BarSeries[] } {
  const { series, warnings } = loadResearchData({
    files: opts.data,
    ...(opts.adjusted ? { adjusted: true } : {}),
    ...(opts.timeframe === undefined ? {} : { timeframe: opts.timeframe }),
    ...(opts.from === undefined ? {} : { from: opts.from }),
    ...(opts.to === undefined ? {} : { to: opts.to }),
    ...(opts.market === 'futures' ? { symbolOf: perpetualSymbol } : {}),
  });
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  const futures =
    opts.market === 'spot' || !series.some((s) => s.symbol.includes(':'))
      ? undefined
      : futuresBacktestConfig(opts);
  for (const w of futures?.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
  if (futures === undefined) warnIgnoredFuturesOptions(opts);
  const progress = progressOf(opts, series);
  const result = runBacktest({
    ...plan.run,
    ...(futures === undefined ? {} : { futures: futures.config }),
    ...withMmr(plan.mmr, series),
    series,
    warnings,
    ...(progress ? { onProgress: progress.update } : {}),
  });
  progress?.stop();
  // The data's warnings were printed before the run; the strategy's come after them.
  for (const w of result.report.warnings.slice(warnings.length))
    process.stderr.write(`warning: ${w}
`);
  return { result, series };
}

/**
 * The run on a file still being read: undefined when the stream gives up (the file needs the
 * whole-file load, whose warnings or error are then the ones reported). Its warnings are only
 * known once the last row is in, so they print after the run.
 */
async function runStreamed(
  opts: BacktestOptions,
  plan: Plan,
  stream: CandleCsvStream,
): Promise<{ result: BacktestResult; series: BarSeries[] } | undefined> {
  const s = await stream.columns();
  if (s === undefined) return undefined;
  warnIgnoredFuturesOptions(opts);
  const progress = progressOf(opts, [s]);
  try {
    const result = runBacktest({
      ...plan.run,
      ...withMmr(plan.mmr, [s]),
      series: [s],
      warnings: () => stream.warnings().map((w) => w.message),
      awaitBars: (count) => stream.awaitBars(count),
      ...(progress ? { onProgress: progress.update } : {}),
    });
    progress?.stop();
    for (const w of result.report.warnings) process.stderr.write(`warning: ${w}\n`);
    return { result, series: [s] };
  } catch (e) {
    progress?.stop();
    if (isQtsError(e) && e.code === DataErrorCode.StreamAbandoned) return undefined;
    throw e;
  }
}

/**
 * Options only a futures run reads, given to a spot run: said, since the run goes on without
 * them (`--leverage 5` on a spot file ran unlevered without a word).
 */
function warnIgnoredFuturesOptions(opts: BacktestOptions): void {
  const given = [
    opts.leverage !== undefined && opts.leverage !== '1' ? '--leverage' : '',
    opts.margin !== undefined && opts.margin !== 'isolated' ? '--margin' : '',
    opts.funding !== undefined ? '--funding' : '',
    opts.mark !== undefined ? '--mark' : '',
    opts.mmr !== undefined ? '--mmr' : '',
  ].filter((o) => o !== '');
  if (given.length === 0) return;
  process.stderr.write(
    `warning: ${given.join(', ')}: futures only (--market futures, or BASE/QUOTE:SETTLE symbols); this spot run ignores ${given.length > 1 ? 'them' : 'it'}\n`,
  );
}

function progressOf(opts: BacktestOptions, series: readonly BarSeries[]): ReturnType<typeof createProgress> {
  return opts.progress ? createProgress(series.reduce((n, s) => n + s.length, 0)) : undefined;
}

function withMmr(mmr: number | undefined, series: readonly BarSeries[]): Pick<BacktestConfig, 'instruments'> {
  if (mmr === undefined) return {};
  return { instruments: series.map((s) => ({ symbol: s.symbol, maintenanceRate: mmr })) };
}

/** The perpetual symbol of a candle file for `--market futures` (`BTC_USDT-5m.csv` → BTC/USDT:USDT). */
function perpetualSymbol(file: string): string {
  const pair = parseDataFileName(file).pair;
  if (pair === undefined)
    throw new QtsError('ERR_INVALID_OPTION', `--market futures: cannot tell the pair from the name ${file}`);
  return pair.includes(':') ? pair : `${pair}:${pair.split('/')[1] ?? ''}`;
}

function day(ts: number | null): string {
  return ts === null ? 'n/a' : isoTime(ts).slice(0, 10);
}

function pct(x: number | null): string {
  return x === null ? 'n/a' : `${(x * 100).toFixed(2)}%`;
}

function fmt(x: number | null, digits = 2): string {
  return x === null ? 'n/a' : x.toFixed(digits);
}

/**
 * Orders not filled in full, said in the summary: with `--fill next-open` an all-in buy sized on
 * the close is refused at a higher open for want of cash, and "105 filled" alone hid 45 of them.
 * Orders still open when the data ended (a market order sent on the last bar, resting limits and
 * stops) were refused by no one, and are said apart from those the venue turned down. An order
 * that filled in part (its fills are in the report) is said apart from those that filled nothing:
 * "not filled" for a limit canceled after half of it traded, under --volume-share, was untrue.
 */
function unfilled(r: BacktestReport): string {
  const missing = r.ordersTotal - r.orders;
  if (missing <= 0) return '';
  const partOpen = r.ordersOpenPartlyFilled;
  const partClosed = r.ordersPartlyFilled;
  const none = missing - partClosed - partOpen;
  const openNone = r.ordersOpen - partOpen;
  const closed = none - r.ordersDenied - openNone;
  const parts = [
    partClosed > 0 ? `${partClosed} partly filled then canceled or expired` : '',
    partOpen > 0 ? `${partOpen} partly filled and still open when the data ended` : '',
    none > 0 || partClosed + partOpen === 0
      ? `${none} not filled: ${r.ordersDenied} denied by risk, ${closed} rejected, canceled or expired at the venue` +
        (openNone > 0 ? `, ${openNone} still open when the data ended` : '')
      : '',
  ].filter((p) => p !== '');
  const codes = Object.entries(r.ordersRefused).map(([code, n]) => `${code} ×${n}`);
  const why = codes.length === 0 ? '' : `; refused: ${codes.join(', ')}`;
  return ` (${parts.join(', ')}${why})`;
}

/**
 * Why buys were refused for cash when the run fills at the next open: the sizer spends the cash
 * at the signal bar's close, and an open above it costs more than there is. Said once, with the
 * two ways out, because a newcomer's first run (the default fill) meets it. The summary's lines
 * to add: none, or that one.
 */
function fundsHint(r: BacktestReport): string[] {
  if (r.fill !== 'next-open' || (r.ordersRefused.ERR_INSUFFICIENT_FUNDS ?? 0) === 0) return [];
  return [
    "note              buys refused for cash were sized on the signal bar's close and filled at a " +
      'higher next open; use --fill close, or --sizing percent:P under 100 to leave room for a gap',
  ];
}

/**
 * The human summary printed after a run, from its report and the orders the run left open (some
 * may have filled in part, which the report alone cannot tell).
 */
export function summary(result: Pick<BacktestResult, 'report' | 'node'>): string {
  const r = result.report;
  const lines = [
    `${r.strategy} on ${r.symbols.join(', ')} ${r.timeframe} · ${r.stats.bars} bars · ${day(r.stats.startTs)} → ${day(r.stats.endTs)}`,
    `final equity      ${r.finalEquityExact} ${r.currency} (${pct(r.totalReturn)})`,
    `CAGR              ${pct(r.cagr)}    volatility ${pct(r.volatility)}`,
    `Sharpe            ${fmt(r.sharpe)}    Sortino ${fmt(r.sortino)}    Calmar ${fmt(r.calmar)}`,
    `max drawdown      ${pct(r.maxDrawdown)} over ${r.maxDrawdownDurationBars} bars`,
    `trades            ${r.trades} closed (${r.openTrades} open) · win rate ${pct(r.winRate)} · profit factor ${fmt(r.profitFactor)}`,
    `orders filled     ${r.orders} of ${r.ordersTotal}${unfilled(r)} · fees ${fmt(r.feesPaid, 6)} · exposure ${pct(r.exposure)}`,
    ...fundsHint(r),
    `trade log sha256  ${r.tradeLogSha256}`,
    ...(r.futures === undefined ? [] : futuresSummaryLines(r.futures)),
  ];
  return lines.join('\n') + '\n';
}
