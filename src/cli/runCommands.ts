import type { Command } from 'commander';
import { CommanderError } from 'commander';
import { runEntry } from '../app/bootstrap.js';

interface RunOptions {
  config?: string;
  port?: string;
  source?: string;
  db?: string;
}

/** `qts shadow|live|api`: starts the engine in that mode from the configuration (and `.env`). */
export function registerRunCommands(program: Command): void {
  for (const [mode, description] of [
    ['shadow', 'paper trading on live market data with the simulated venue (no exchange keys are loaded)'],
    [
      'live',
      'real orders on the exchange through ccxt (needs keys, API tokens and LIVE_TRADING_CONFIRM=yes; see docs/live-trading.md)',
    ],
    [
      'api',
      'market data, history and backtests on request, no strategy (a research server that cannot trade)',
    ],
  ] as const) {
    program
      .command(mode)
      .description(description)
      .option('--config <file>', 'configuration file (default config/qts.json)')
      .option('--port <n>', 'API port')
      .option('--source <s>', 'market data: auto | exchange | replay | synthetic')
      .option('--db <path>', 'SQLite database')
      .action(async (opts: RunOptions) => {
        const code = await runEntry({
          load: {
            ...(opts.config === undefined ? {} : { file: opts.config }),
            overrides: {
              mode,
              'api.port': opts.port === undefined ? undefined : Number(opts.port),
              'marketData.source': opts.source,
              'storage.dbPath': opts.db,
            },
          },
        });
        // The failure was printed already (scrubbed); only the exit code is left to give.
        if (code !== 0) throw new CommanderError(code, 'qts.start', '');
      });
  }
}
