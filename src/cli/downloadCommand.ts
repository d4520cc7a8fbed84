import cliProgress from 'cli-progress';
import type { Exchange } from 'ccxt';
import type { Command } from 'commander';
import { parseDateOption } from '../core/dateOption.js';
import { QtsError } from '../core/QtsError.js';
import { isoTime, timeframeToMs } from '../core/time.js';
import type { CandleGap, CandleSink, DownloadProgress } from '../exchanges/ccxt/downloadCandles.js';
import { downloadCandles } from '../exchanges/ccxt/downloadCandles.js';
import { seriesOfBars } from '../model/BarSeries.js';
import { CandleStore } from '../storage/sqlite/CandleStore.js';
import { openDatabase } from '../storage/sqlite/openDatabase.js';
import { DB_OPTION_HELP, engineDatabase } from './engineDatabase.js';
import { plainNumber } from './plainNumber.js';

interface DownloadOptions {
  exchange: string;
  symbol: string;
  timeframe: string;
  since: string;
  until?: string;
  db?: string;
  sandbox?: boolean;
  attempts: string;
  progress: boolean;
}

/** A candle store opened for one download: where candles go, its gap report, and how to close it. */
export interface OpenedCandleStore {
  readonly sink: CandleSink;
  /** Missing candles of the series over [from, to), across every download so far. */
  gaps(exchange: string, symbol: string, timeframe: string, from: number, to: number): CandleGap[];
  close(): void;
}

/** What the command needs from outside; tests point the exchange at a fake and the store at a temp file. */
export interface DownloadCommandDeps {
  readonly createExchange?: (id: string, sandbox: boolean) => Exchange | Promise<Exchange>;
  readonly openStore?: (dbPath: string) => OpenedCandleStore;
  readonly stdout?: NodeJS.WritableStream;
  readonly stderr?: NodeJS.WritableStream;
}

const MAX_GAPS_LISTED = 10;

/**
 * `qts data download`: fetches a symbol's candle history from an exchange into the SQLite
 * store, resuming where the last run stopped, and ends with a report of the holes in the
 * exchange's history over the requested window.
 */
export function registerDownloadCommand(dataCommand: Command, deps: DownloadCommandDeps = {}): void {
  dataCommand
    .command('download')
    .description('download candle history from an exchange into the database (resumes after an interruption)')
    .option('--exchange <id>', 'ccxt exchange id', 'binance')
    .requiredOption('--symbol <symbol>', 'unified symbol, e.g. BTC/USDT')
    .option('--timeframe <tf>', 'candle timeframe (1m, 5m, 1h, 1d, …)', '1m')
    .requiredOption('--since <date>', 'first candle (YYYY-MM-DD or ISO time, UTC)')
    .option('--until <date>', 'end, exclusive (YYYY-MM-DD or ISO time, UTC; default now)')
    .option('--db <file>', DB_OPTION_HELP)
    .option('--sandbox', "use the exchange's testnet")
    .option('--attempts <n>', 'tries per request before the download stops (it resumes when run again)', '4')
    .option('--no-progress', 'no progress bar')
    .action(async (opts: DownloadOptions) => {
      const out = deps.stdout ?? process.stdout;
      const err = deps.stderr ?? process.stderr;
      try {
        timeframeToMs(opts.timeframe);
      } catch (e) {
        throw new QtsError('ERR_INVALID_OPTION', `--timeframe: ${(e as Error).message}`);
      }
      const since = parseDateOption('since', opts.since);
      const until = parseDateOption('until', opts.until);
      const attempts = plainNumber(opts.attempts);
      if (!Number.isInteger(attempts) || attempts < 1) {
        throw new QtsError('ERR_INVALID_OPTION', `--attempts: invalid value "${opts.attempts}"`);
      }
      if (until !== undefined && until <= since)
        throw new QtsError('ERR_INVALID_OPTION', '--until must be after --since');
      const exchange = await (deps.createExchange ?? defaultExchange)(opts.exchange, opts.sandbox === true);
      const store = (deps.openStore ?? openSqliteStore)(engineDatabase(opts.db));
      const bar = opts.progress ? progressBar(err) : undefined;
      try {
        const result = await downloadCandles({
          exchange,
          symbol: opts.symbol,
          timeframe: opts.timeframe,
          since,
          ...(until !== undefined ? { until } : {}),
          store: store.sink,
          attempts,
          onProgress: (p) => bar?.update(p),
        });
        bar?.stop();
        const gaps = store.gaps(
          result.exchange,
          result.symbol,
          result.timeframe,
          Math.max(since, 0),
          result.until,
        );
        const missing = gaps.reduce((n, g) => n + g.bars, 0);
        out.write(
          `${result.exchange} ${result.symbol} ${result.timeframe}: ${result.stored} candles stored in ${result.pages} request(s)` +
            (result.resumedAfter !== undefined ? `, resumed at ${isoTime(result.resumedAfter)}` : '') +
            (result.lastTs !== undefined ? `, last ${isoTime(result.lastTs)}` : ', nothing new') +
            '\n',
        );
        out.write(
          `gaps in ${isoTime(since)} … ${isoTime(result.until)}: ${gaps.length} (${missing} candle(s) missing)\n`,
        );
        for (const g of gaps.slice(0, MAX_GAPS_LISTED)) {
          out.write(`  [${isoTime(g.from)}, ${isoTime(g.to)}) ${g.bars} missing\n`);
        }
        if (gaps.length > MAX_GAPS_LISTED) out.write(`  … and ${gaps.length - MAX_GAPS_LISTED} more\n`);
      } finally {
        bar?.stop();
        store.close();
        await exchange.close();
      }
    });
}

/** ccxt is loaded only when a download runs: it takes a third of a second to load. */
async function defaultExchange(id: string, sandbox: boolean): Promise<Exchange> {
  const { createExchange } = await import('../exchanges/ccxt/createExchange.js');
  return createExchange({ id, sandbox });
}

/** The SQLite CandleStore behind the CandleSink a download writes to. */
function openSqliteStore(dbPath: string): OpenedCandleStore {
  const db = openDatabase(dbPath);
  const candles = new CandleStore(db);
  return {
    sink: {
      upsert: (exchange, symbol, timeframe, bars) => {
        candles.upsert(exchange, seriesOfBars(symbol, timeframe, bars));
      },
      lastTimestamp: (exchange, symbol, timeframe) => candles.lastTimestamp(exchange, symbol, timeframe),
    },
    gaps: (exchange, symbol, timeframe, from, to) =>
      candles
        .gaps(exchange, symbol, timeframe, from, to)
        .gaps.map((g) => ({ from: g.from, to: g.to + timeframeToMs(timeframe), bars: g.missing })),
    close: () => db.close(),
  };
}

/** A progress bar on stderr (silent off a terminal, so logs stay clean). */
function progressBar(stream: NodeJS.WritableStream): {
  update: (p: DownloadProgress) => void;
  stop: () => void;
} {
  const bar = new cliProgress.SingleBar(
    {
      format: 'download [{bar}] {percentage}% | {stored} candles stored | at {at}',
      stream,
      noTTYOutput: false,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let stopped = false;
  return {
    update: (p) => {
      // Progress through time, not candles: quiet periods have none.
      const total = Math.max(1, Math.ceil((p.until - p.from) / p.timeframeMs));
      const done = Math.min(total, Math.ceil((p.cursor - p.from) / p.timeframeMs));
      if (!started) {
        bar.start(total, 0, { at: isoTime(p.cursor), stored: p.stored });
        started = true;
      }
      bar.update(done, { at: isoTime(p.cursor), stored: p.stored });
    },
    stop: () => {
      if (started && !stopped) bar.stop();
      stopped = true;
    },
  };
}
