import { Command, CommanderError } from 'commander';
import { isQtsError } from '../core/QtsError.js';
import { secretRegistry } from '../monitor/SecretRegistry.js';
import { registerAuditCommand } from './auditCommand.js';
import { registerBacktestCommand } from './backtestCommand.js';
import { registerDataCommand } from './dataCommand.js';
import { registerDbCommand } from './dbCommand.js';
import { registerDownloadCommand } from './downloadCommand.js';
import { registerKeysCommand } from './keysCommand.js';
import { registerKillCommands } from './killCommand.js';
import { registerLookaheadCommand } from './lookaheadCommand.js';
import { registerMonteCarloCommand } from './monteCarloCommand.js';
import { registerOptimizeCommand } from './optimizeCommand.js';
import { registerRunCommands } from './runCommands.js';
import { registerStrategiesCommand } from './strategiesCommand.js';
import { registerWalkForwardCommand } from './walkForwardCommand.js';
import { registerWorkerCommand } from './workerCommand.js';

/** The `qts` command line: verbs users know from other platforms. */
export function buildProgram(): Command {
  const program = new Command('qts')
    .description('quant-trading-system: backtest, paper-trade and trade crypto strategies with one engine')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  registerBacktestCommand(program);
  registerStrategiesCommand(program);
  registerOptimizeCommand(program);
  registerWalkForwardCommand(program);
  registerMonteCarloCommand(program);
  registerLookaheadCommand(program);
  registerWorkerCommand(program);
  registerDownloadCommand(registerDataCommand(program));
  registerKillCommands(program);
  registerDbCommand(program);
  registerRunCommands(program);
  registerKeysCommand(program);
  registerAuditCommand(program);
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
      process.stderr.write(`error ${e.code}: ${secretRegistry.scrub(e.message)}\n`);
      return 2;
    }
    throw e;
  }
}
