import type { Command } from 'commander';
import { CommanderError } from 'commander';
import { plainNumber } from './plainNumber.js';

/** Flags of `qts shadow|live|api`. */
export interface RunOptions {
  config?: string;
  port?: string;
  source?: string;
  db?: string;
  /** `qts live --confirm-live`: the same explicit confirmation as LIVE_TRADING_CONFIRM=yes. */
  confirmLive?: boolean;
}

/**
 * The configuration overrides a run command's flags stand for. `--confirm-live` confirms real
 * trading for this start only (`live.confirmed: true`); without it the confirmation must come
 * from LIVE_TRADING_CONFIRM=yes or the config file, never from a default.
 */
export function runOverrides(mode: 'shadow' | 'live' | 'api', opts: RunOptions): Record<string, unknown> {
  return {
    mode,
    'api.port': opts.port === undefined ? undefined : plainNumber(opts.port),
    'marketData.source': opts.source,
    'storage.dbPath': opts.db,
    'live.confirmed': mode === 'live' && opts.confirmLive === true ? true : undefined,
  };
}

/** `qts shadow|live|api`: starts the engine in that mode from the configuration (and `.env`). */
export function registerRunCommands(program: Command): void {
  for (const [mode, description] of [
    ['shadow', 'paper trading on live market data with the simulated venue (no exchange keys are loaded)'],
    [
      'live',
      'real orders on the exchange through ccxt (needs keys, API tokens and --confirm-live or LIVE_TRADING_CONFIRM=yes; see docs/live-trading.md)',
    ],
    [
      'api',
      'market data, history and backtests on request, no strategy (a research server that cannot trade)',
    ],
  ] as const) {
    const command = program
      .command(mode)
      .description(description)
      .option('--config <file>', 'configuration file (default config/qts.json)')
      .option('--port <n>', 'API port')
      .option('--source <s>', 'market data: auto | exchange | replay | synthetic')
      .option('--db <path>', 'SQLite database');
    if (mode === 'live')
      command.option(
        '--confirm-live',
        'confirm that real orders are meant (same as LIVE_TRADING_CONFIRM=yes); live mode refuses to start without one of them',
      );
    command.action(async (opts: RunOptions) => {
      // Loaded here, not at the top: the engine (exchanges, API server, storage) takes most of
      // a second to load, and every other `qts` command would pay for it at each start.
      const { runEntry } = await import('../app/bootstrap.js');
      const code = await runEntry({
        load: {
          ...(opts.config === undefined ? {} : { file: opts.config }),
          overrides: runOverrides(mode, opts),
        },
      });
      // The failure was printed already (scrubbed); only the exit code is left to give.
      if (code !== 0) throw new CommanderError(code, 'qts.start', '');
    });
  }
}
