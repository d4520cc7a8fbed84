import { Command, CommanderError } from 'commander';
import { isQtsError } from '../core/QtsError.js';
import { registerBacktestCommand } from './backtestCommand.js';
import { registerDataCommand } from './dataCommand.js';
import { registerDbCommand } from './dbCommand.js';
import { registerDownloadCommand } from './downloadCommand.js';
import { registerKillCommands } from './killCommand.js';
import { registerRunCommands } from './runCommands.js';
import { registerStrategiesCommand } from './strategiesCommand.js';

/** The `qts` command line: verbs users know from other platforms. */
export function buildProgram(): Command {
  const program = new Command('qts')
    .description('quant-trading-system: backtest, paper-trade and trade crypto strategies with one engine')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  registerBacktestCommand(program);
  registerStrategiesCommand(program);
  registerDownloadCommand(registerDataCommand(program));
  registerKillCommands(program);
  registerDbCommand(program);
  registerRunCommands(program);
  return program;
}

/** Runs the CLI; expected failures print their code and message and exit 2, never a stack. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (isQtsError(e)) {
      process.stderr.write(`error ${e.code}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
