import type { Command } from 'commander';
import { startApp, stopOnSignals } from '../app/startApp.js';
import { loadConfig } from '../config/loadConfig.js';
import { LogTail } from '../monitor/LogTail.js';
import { createLogger } from '../monitor/createLogger.js';

interface RunOptions {
  config?: string;
  port?: string;
  source?: string;
  db?: string;
}

/** `qts shadow|live|api`: starts the engine in that mode from the configuration. */
export function registerRunCommands(program: Command): void {
  for (const [mode, description] of [
    ['shadow', 'paper trading on live market data with the simulated venue (no exchange keys are loaded)'],
    ['live', 'real orders on the exchange (not available yet: refuses to start)'],
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
        const config = loadConfig({
          ...(opts.config === undefined ? {} : { file: opts.config }),
          overrides: {
            mode,
            'api.port': opts.port === undefined ? undefined : Number(opts.port),
            'marketData.source': opts.source,
            'storage.dbPath': opts.db,
          },
        });
        const logTail = new LogTail();
        const log = createLogger({ ...config.log, tail: logTail });
        const app = await startApp(config, { log, logTail });
        stopOnSignals(app, log);
      });
  }
}
