import { mkdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Command } from 'commander';
import { QtsError } from '../core/QtsError.js';
import { isoTime } from '../core/time.js';
import { checkedTimeframeMs } from '../data/checkedTimeframeMs.js';
import { DataErrorCode } from '../data/DataErrorCode.js';
import { loadBarSeries } from '../data/loadBarSeries.js';
import { writeBarSeriesCsv } from '../data/writeBarSeriesCsv.js';
import { parseDateRange } from '../core/dateOption.js';
import type { GapReport } from '../storage/sqlite/CandleStore.js';
import { CandleStore } from '../storage/sqlite/CandleStore.js';
import type { SqliteDatabase } from '../storage/sqlite/openDatabase.js';
import { openDatabase } from '../storage/sqlite/openDatabase.js';
import { DB_OPTION_HELP, engineDatabase } from './engineDatabase.js';

/** Exchange recorded for imported files when --exchange is not given: a file does not say. */
const DEFAULT_EXCHANGE = 'unknown';

interface ImportOptions {
  file: string[];
  exchange: string;
  symbol?: string;
  timeframe?: string;
  adjusted?: boolean;
  db?: string;
  json?: boolean;
}

interface SeriesOptions {
  exchange: string;
  symbol: string;
  timeframe: string;
  from?: string;
  to?: string;
  db?: string;
  json?: boolean;
}

interface ExportOptions extends SeriesOptions {
  out: string;
}

/**
 * `qts data import | export | gaps`: candle history in the database (CandleStore).
 * Returns the `data` command so further verbs attach to it (see `data download` below).
 */
export function registerDataCommand(program: Command): Command {
  const data = program
    .command('data')
    .description('candle history in the database: import, export, gap report');

  data
    .command('import')
    .description(
      'load candle files (freqtrade CSV, Yahoo CSV or JSON) into the database; re-importing is harmless',
    )
    .requiredOption(
      '--file <files...>',
      'candle files; symbol and timeframe come from freqtrade names (ETH_BTC-5m.csv)',
    )
    .option('--exchange <id>', 'exchange the candles come from (ccxt id, e.g. binance)', DEFAULT_EXCHANGE)
    .option('--symbol <symbol>', 'symbol, overriding the file name (e.g. ETH/BTC)')
    .option('--timeframe <tf>', 'timeframe, overriding the file name (e.g. 5m)')
    .option('--adjusted', 'Yahoo files: prices from Adj Close')
    .option('--db <path>', DB_OPTION_HELP)
    .option('--json', 'machine-readable output: one object per file')
    .action((opts: ImportOptions) => {
      if (opts.timeframe !== undefined) checkedTimeframeMs(opts.timeframe);
      withDatabase(opts.db, false, (db) => {
        const store = new CandleStore(db);
        const results = opts.file.map((file) => {
          const { series, warnings } = loadBarSeries(file, {
            ...(opts.symbol !== undefined && { symbol: opts.symbol }),
            ...(opts.timeframe !== undefined && { timeframe: opts.timeframe }),
            ...(opts.adjusted === true && { adjusted: true }),
          });
          const written = store.upsert(opts.exchange, series);
          const span =
            series.length > 0
              ? {
                  first: isoTime(series.ts[0] as number),
                  last: isoTime(series.ts[series.length - 1] as number),
                }
              : { first: undefined, last: undefined };
          for (const w of warnings) process.stderr.write(`warning: ${w.message}\n`);
          if (!opts.json) {
            process.stdout.write(
              `${basename(file)} → ${opts.exchange} ${series.symbol} ${series.timeframe}: ${written.rows} rows ` +
                `(${written.inserted} new, ${written.updated} updated, ${written.unchanged} unchanged) ` +
                `${span.first ?? ''} … ${span.last ?? ''}\n`,
            );
          }
          return {
            file,
            exchange: opts.exchange,
            symbol: series.symbol,
            timeframe: series.timeframe,
            ...written,
            ...span,
            warnings,
          };
        });
        if (opts.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
      });
    });

  seriesOptions(
    data
      .command('export')
      .description('write stored candles to a freqtrade CSV (timestamp,open,high,low,close,volume)')
      .requiredOption('--out <file.csv>', 'output file (replaced if it exists)'),
  ).action((opts: ExportOptions) => {
    const { from, to } = window(opts);
    withDatabase(opts.db, true, (db) => {
      const store = new CandleStore(db);
      const series = store.range(opts.exchange, opts.symbol, opts.timeframe, from, to);
      if (series.length === 0) throw noCandles(store, opts);
      mkdirSync(dirname(opts.out), { recursive: true });
      writeBarSeriesCsv(opts.out, series);
      const first = isoTime(series.ts[0] as number);
      const last = isoTime(series.ts[series.length - 1] as number);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ out: opts.out, rows: series.length, first, last })}\n`);
      } else {
        process.stdout.write(`${opts.out}: ${series.length} rows ${first} … ${last}\n`);
      }
    });
  });

  seriesOptions(
    data
      .command('gaps')
      .description('report missing bars of a stored series (bounds add what is missing at either end)'),
  ).action((opts: SeriesOptions) => {
    const { from, to } = window(opts);
    withDatabase(opts.db, true, (db) => {
      const store = new CandleStore(db);
      if (store.count(opts.exchange, opts.symbol, opts.timeframe) === 0) throw noCandles(store, opts);
      const report = store.gaps(opts.exchange, opts.symbol, opts.timeframe, from, to);
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : describeGaps(report));
    });
  });

  // `qts data download` — the ccxt history downloader — registers on `data` here, e.g.
  // `registerDataDownloadCommand(data)`. It resumes each series from
  // `CandleStore.lastTimestamp(exchange, symbol, timeframe)` (re-fetching that last, possibly
  // still-forming candle) and writes pages with `CandleStore.upsert`.

  return data;
}

/** Options shared by the verbs that read one stored series. */
function seriesOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--exchange <id>', 'exchange id the candles were stored under')
    .requiredOption('--symbol <symbol>', 'symbol, e.g. ETH/BTC')
    .requiredOption('--timeframe <tf>', 'timeframe, e.g. 5m')
    .option('--from <date>', 'first open time included (YYYY-MM-DD or ISO-8601, UTC)')
    .option('--to <date>', 'open times before this one (YYYY-MM-DD or ISO-8601, UTC)')
    .option('--db <path>', DB_OPTION_HELP)
    .option('--json', 'machine-readable output');
}

function withDatabase(
  path: string | undefined,
  mustExist: boolean,
  work: (db: SqliteDatabase) => void,
): void {
  const db = openDatabase(engineDatabase(path), { mustExist });
  try {
    work(db);
  } finally {
    db.close();
  }
}

function window(opts: SeriesOptions): { from: number | undefined; to: number | undefined } {
  checkedTimeframeMs(opts.timeframe);
  return parseDateRange(opts.from, opts.to);
}

/** Nothing stored for the series: say what is stored instead, the usual cause being a typo. */
function noCandles(store: CandleStore, opts: SeriesOptions): QtsError {
  const stored = store
    .list()
    .slice(0, 10)
    .map((s) => `${s.exchange} ${s.symbol} ${s.timeframe}`);
  const range =
    opts.from !== undefined || opts.to !== undefined ? ` in ${opts.from ?? '…'} – ${opts.to ?? '…'}` : '';
  return new QtsError(
    DataErrorCode.NotFound,
    `no candles for ${opts.exchange} ${opts.symbol} ${opts.timeframe}${range} in ${engineDatabase(opts.db)}` +
      (stored.length > 0 ? `; stored: ${stored.join(', ')}` : '; the database holds no candles'),
  );
}

function describeGaps(r: GapReport): string {
  const head =
    `${r.exchange} ${r.symbol} ${r.timeframe}: ${r.present} bars ${isoTime(r.from)} … ${isoTime(r.to)} (end exclusive), ` +
    `${r.missing} missing in ${r.gaps.length} gaps` +
    (r.offGrid > 0 ? `, ${r.offGrid} spacings off the ${r.timeframe} grid` : '');
  const lines = r.gaps.map(
    (g) => `  ${isoTime(g.from)} … ${isoTime(g.to)}  ${g.missing} bar${g.missing === 1 ? '' : 's'}`,
  );
  return `${[head, ...lines].join('\n')}\n`;
}
