import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { toFixed } from '../core/Fixed.js';
import { QtsError } from '../core/QtsError.js';
import { isoTime } from '../core/time.js';
import type { BacktestReport } from '../backtest/BacktestReport.js';
import { stableJson } from '../backtest/BacktestReport.js';
import { renderHtmlReport } from '../backtest/htmlReport.js';
import { runBacktest } from '../backtest/runBacktest.js';
import { futuresBacktestConfig, futuresSummaryLines } from '../backtest/futuresBacktestConfig.js';
import { parseDataFileName } from '../data/parseDataFileName.js';
import { loadBarSeries } from '../data/loadBarSeries.js';
import { loadTradesCsv } from '../data/loadTradesCsv.js';
import { resample } from '../data/resample.js';
import { sliceSeries } from '../data/sliceSeries.js';
import type { BarSeries } from '../model/BarSeries.js';
import { parseSizing } from '../portfolio/Sizer.js';
import { loadStrategy } from '../strategies/loadStrategy.js';
import { parseDateOption } from '../research/loadResearchData.js';
import type { DataRangeCliOptions, FillCliOptions } from './backtestOptions.js';
import { addDataRangeOptions, addFillOptions } from './backtestOptions.js';
import { parseParams } from './parseParams.js';
import { createProgress } from './progress.js';

interface BacktestOptions extends FillCliOptions, DataRangeCliOptions {
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

function number(name: string, text: string, check: (n: number) => boolean): number {
  const n = Number(text);
  if (!Number.isFinite(n) || !check(n))
    throw new QtsError('ERR_INVALID_OPTION', `--${name}: invalid value "${text}"`);
  return n;
}

/** `qts backtest`: one strategy over one or more candle files through the full engine. */
export function registerBacktestCommand(program: Command): void {
  const cmd = program
    .command('backtest')
    .description('run a strategy over historical candles through the full engine and report the result')
    .requiredOption(
      '--data <files...>',
      'candle files (freqtrade CSV, Yahoo CSV or JSON); several symbols merge by time',
    )
    .option(
      '--trades <files...>',
      'public trades CSV (timestamp,id,side,price,amount) replayed to strategies that read the tape',
    )
    .requiredOption('--strategy <id>', 'built-in strategy id (see `qts strategies`)')
    .option('--params <list>', 'strategy parameters as name=value,name=value (validated by the strategy)');
  addDataRangeOptions(addFillOptions(cmd, 'random seed (slippage models, ids): same seed, same trade log'))
    .option('--json <file>', 'write the JSON report here')
    .option('--html <file>', 'write the self-contained HTML report here')
    .option('--no-progress', 'no progress bar')
    .addOption(
      new Option(
        '--market <kind>',
        'spot or futures (USDT-M perpetuals); default: futures for BASE/QUOTE:SETTLE symbols',
      ).choices(['spot', 'futures']),
    )
    .option('--leverage <n>', 'futures: leverage of every symbol, 1..the instrument maximum', '1')
    .addOption(
      new Option('--margin <mode>', 'futures: margin mode')
        .choices(['isolated', 'cross'])
        .default('isolated'),
    )
    .option(
      '--funding <files...>',
      'futures: funding-rate CSV (timestamp,funding_rate), settled at each time',
    )
    .option('--mark <files...>', 'futures: mark-price candle CSV; margin and PnL are valued at it')
    .option('--mmr <rate>', 'futures: flat maintenance-margin rate (default 0.005)')
    .action(async (opts: BacktestOptions) => {
      const strategy = await loadStrategy(opts.strategy);
      const params = parseParams(opts.params);
      const commission = number('commission', opts.commission, (n) => n >= 0 && n < 1);
      const cash = number('cash', opts.cash, (n) => n > 0);
      const lot = number('lot', opts.lot, (n) => n > 0);
      const seed = number('seed', opts.seed, (n) => Number.isInteger(n));
      const latencyMs = number('latency', opts.latency, (n) => n >= 0);
      const from = parseDateOption('from', opts.from);
      const to = parseDateOption('to', opts.to);
      const files = opts.data.flatMap((d) => d.split(',')).filter((f) => f !== '');
      const warnings: string[] = [];
      const series: BarSeries[] = files.map((file) => {
        const loaded = loadBarSeries(file, {
          ...(opts.adjusted ? { adjusted: true } : {}),
          ...(opts.market === 'futures' ? { symbol: perpetualSymbol(file) } : {}),
        });
        for (const w of loaded.warnings) warnings.push(w.message);
        let s = loaded.series;
        if (opts.timeframe !== undefined && opts.timeframe !== s.timeframe) s = resample(s, opts.timeframe);
        return sliceSeries(s, from, to);
      });
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
      const total = series.reduce((n, s) => n + s.length, 0);
      const progress = opts.progress ? createProgress(total) : undefined;
      const slippage =
        opts.slippageBps === undefined
          ? ({ kind: 'none' } as const)
          : ({ kind: 'bps', bps: number('slippage-bps', opts.slippageBps, (n) => n >= 0) } as const);
      const volumeShare =
        opts.volumeShare === undefined
          ? null
          : number('volume-share', opts.volumeShare, (n) => n > 0 && n <= 1);
      const futures =
        opts.market === 'spot' || !series.some((s) => s.symbol.includes(':'))
          ? undefined
          : futuresBacktestConfig(opts);
      for (const w of futures?.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
      const mmr = opts.mmr === undefined ? undefined : number('mmr', opts.mmr, (n) => n >= 0 && n < 1);
      const result = runBacktest({
        ...(futures === undefined ? {} : { futures: futures.config }),
        ...(mmr === undefined
          ? {}
          : { instruments: series.map((s) => ({ symbol: s.symbol, maintenanceRate: mmr })) }),
        series,
        strategy,
        params,
        initialCash: cash,
        commission,
        fill: { fillAt: opts.fill, intrabar: opts.intrabar, slippage, volumeShare, latencyMs },
        sizing: parseSizing(opts.sizing, toFixed(lot)),
        seed,
        dataFiles: files,
        ...(opts.trades === undefined
          ? {}
          : {
              trades: opts.trades
                .flatMap((f) => loadTradesCsv(f))
                .filter((t) => (from === undefined || t.ts >= from) && (to === undefined || t.ts < to))
                .sort((a, b) => a.ts - b.ts),
            }),
        warnings,
        ...(progress ? { onProgress: progress.update } : {}),
      });
      progress?.stop();
      if (opts.json !== undefined) writeOut(opts.json, stableJson(result.report));
      if (opts.html !== undefined)
        writeOut(
          opts.html,
          renderHtmlReport(
            result.report,
            series.map((s) => ({ symbol: s.symbol, ts: s.ts, close: s.close })),
          ),
        );
      process.stdout.write(summary(result.report));
    });
}

/** The perpetual symbol of a candle file for `--market futures` (`BTC_USDT-5m.csv` → BTC/USDT:USDT). */
function perpetualSymbol(file: string): string {
  const pair = parseDataFileName(file).pair;
  if (pair === undefined)
    throw new QtsError('ERR_INVALID_OPTION', `--market futures: cannot tell the pair from the name ${file}`);
  return pair.includes(':') ? pair : `${pair}:${pair.split('/')[1] ?? ''}`;
}

function writeOut(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
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

/** The human summary printed after a run. */
export function summary(r: BacktestReport): string {
  const lines = [
    `${r.strategy} on ${r.symbols.join(', ')} ${r.timeframe} · ${r.stats.bars} bars · ${day(r.stats.startTs)} → ${day(r.stats.endTs)}`,
    `final equity      ${r.finalEquityExact} ${r.currency} (${pct(r.totalReturn)})`,
    `CAGR              ${pct(r.cagr)}    volatility ${pct(r.volatility)}`,
    `Sharpe            ${fmt(r.sharpe)}    Sortino ${fmt(r.sortino)}    Calmar ${fmt(r.calmar)}`,
    `max drawdown      ${pct(r.maxDrawdown)} over ${r.maxDrawdownDurationBars} bars`,
    `trades            ${r.trades} closed (${r.openTrades} open) · win rate ${pct(r.winRate)} · profit factor ${fmt(r.profitFactor)}`,
    `orders filled     ${r.orders} · fees ${fmt(r.feesPaid, 6)} · exposure ${pct(r.exposure)}`,
    `trade log sha256  ${r.tradeLogSha256}`,
    ...(r.futures === undefined ? [] : futuresSummaryLines(r.futures)),
  ];
  return lines.join('\n') + '\n';
}
