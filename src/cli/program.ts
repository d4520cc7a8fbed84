import { inspect } from 'node:util';
import { Command, CommanderError } from 'commander';
import { isQtsError } from '../core/QtsError.js';
import { readDotEnv } from '../config/loadDotEnv.js';
import { registerEnvSecrets } from '../monitor/registerSecrets.js';
import { secretRegistry } from '../monitor/SecretRegistry.js';

/** What adds one or more top-level commands to the program. */
type Register = (program: Command) => unknown;

/**
 * Every top-level command, in the order help lists them, with the module that registers it.
 * A run of one command loads only that command's module: the others pull in SQLite, the
 * strategy library, crypto and more, which `qts backtest` would otherwise load for nothing.
 */
export const COMMANDS: readonly {
  readonly names: readonly string[];
  readonly load: () => Promise<Register>;
}[] = [
  { names: ['backtest'], load: async () => (await import('./backtestCommand.js')).registerBacktestCommand },
  {
    names: ['strategies'],
    load: async () => (await import('./strategiesCommand.js')).registerStrategiesCommand,
  },
  { names: ['optimize'], load: async () => (await import('./optimizeCommand.js')).registerOptimizeCommand },
  {
    names: ['walk-forward'],
    load: async () => (await import('./walkForwardCommand.js')).registerWalkForwardCommand,
  },
  {
    names: ['monte-carlo'],
    load: async () => (await import('./monteCarloCommand.js')).registerMonteCarloCommand,
  },
  {
    names: ['lookahead'],
    load: async () => (await import('./lookaheadCommand.js')).registerLookaheadCommand,
  },
  { names: ['worker'], load: async () => (await import('./workerCommand.js')).registerWorkerCommand },
  {
    names: ['data'],
    load: async () => {
      const [data, download] = await Promise.all([
        import('./dataCommand.js'),
        import('./downloadCommand.js'),
      ]);
      return (program) => download.registerDownloadCommand(data.registerDataCommand(program));
    },
  },
  { names: ['kill', 'resume'], load: async () => (await import('./killCommand.js')).registerKillCommands },
  { names: ['db'], load: async () => (await import('./dbCommand.js')).registerDbCommand },
  {
    names: ['shadow', 'live', 'api'],
    load: async () => (await import('./runCommands.js')).registerRunCommands,
  },
  { names: ['keys'], load: async () => (await import('./keysCommand.js')).registerKeysCommand },
  { names: ['audit'], load: async () => (await import('./auditCommand.js')).registerAuditCommand },
];

/**
 * The `qts` command line: verbs users know from other platforms. Given the arguments, only
 * the command they name is registered (all of them for help, an unknown word or none at all;
 * none for a bare --version).
 */
export async function buildProgram(args: readonly string[] = []): Promise<Command> {
  const program = new Command('qts')
    .description('quant-trading-system: backtest, paper-trade and trade crypto strategies with one engine')
    .version('0.1.0')
    // The error line stays visible: a whole help page after it buried it.
    .showHelpAfterError('(add --help for the options)')
    .exitOverride();
  const word = args.find((a) => !a.startsWith('-'));
  const named = COMMANDS.find((c) => word !== undefined && c.names.includes(word));
  const versionOnly =
    word === undefined && args.length === 1 && (args[0] === '--version' || args[0] === '-V');
  const wanted = named !== undefined ? [named] : versionOnly ? [] : COMMANDS;
  const registers = await Promise.all(wanted.map((c) => c.load()));
  for (const register of registers) register(program);
  return program;
}

/**
 * Commander's own refusals (an unknown option, a value outside its choices, a missing
 * argument) are usage errors and exit 2 like every other bad input; help and --version exit
 * 0, and our commands' own CommanderErrors (a failed audit check, look-ahead found) keep theirs.
 */
function usageExitCode(e: CommanderError): number {
  return e.code.startsWith('commander.') && e.exitCode !== 0 ? 2 : e.exitCode;
}

/** LOG_LEVEL asks for debug detail (debug or trace), from the environment or `.env`. */
function debugLogging(): boolean {
  const level = (process.env['LOG_LEVEL'] ?? readDotEnv()['LOG_LEVEL'] ?? '').toLowerCase();
  return level === 'debug' || level === 'trace';
}

/**
 * Runs the CLI; expected failures print their code and message and exit 2, never a stack.
 * Whatever it prints on failure is scrubbed of every secret it can know of: the environment's
 * are registered before any command runs, since a message may quote one (a path, a URL, an
 * exchange's answer) before a command had the chance to register it.
 */
export async function main(argv: readonly string[]): Promise<number> {
  registerEnvSecrets(process.env, secretRegistry);
  // Commands load .env themselves (keys, audit, kill, db, data), after this point: its secrets
  // are known from the start too.
  registerEnvSecrets(readDotEnv(), secretRegistry);
  try {
    await (await buildProgram(argv.slice(2))).parseAsync([...argv]);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return usageExitCode(e);
    if (isQtsError(e)) {
      process.stderr.write(`error ${e.code}: ${secretRegistry.scrub(e.message)}\n`);
      // A strategy's own exception: its stack points at the strategy's line, which its author
      // wants while debugging and no one else needs on every failed run.
      if (e.cause !== undefined && debugLogging())
        process.stderr.write(`${secretRegistry.scrub(inspect(e.cause))}\n`);
      return 2;
    }
    // A bug or an unexpected failure: its stack (and cause) for the report, scrubbed too —
    // left to Node, it would print the message as it is. Exit 1, as an uncaught error does.
    process.stderr.write(`${secretRegistry.scrub(inspect(e))}\n`);
    return 1;
  }
}
