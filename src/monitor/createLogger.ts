import pino from 'pino';
import type { Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogFiles } from './LogFiles.js';
import type { LogTail } from './LogTail.js';
import type { SecretRegistry } from './SecretRegistry.js';
import { secretRegistry } from './SecretRegistry.js';
import { redactSecrets } from './redactSecrets.js';

export interface LoggerOptions {
  level: 'error' | 'warn' | 'info' | 'debug' | 'trace';
  format: 'json' | 'pretty';
  /** Defaults to stdout (what PM2 and Docker collect). */
  destination?: NodeJS.WritableStream;
  /** Also feed the in-memory tail (the log channel of the WebSocket push and dashboard). */
  tail?: LogTail;
  /** Also write the daily JSON files (trading-*.log at the level, error-*.log for errors). */
  files?: LogFiles;
  /** Secret values scrubbed from every line; defaults to the process-wide registry. */
  secrets?: SecretRegistry;
  /** Clock of the line timestamps (tests); defaults to pino's wall clock. */
  now?: () => number;
}

/**
 * The process logger. JSON lines for machines, or a readable one-line format for people
 * on stdout; JSON in the daily files. Written synchronously, so the last lines before a
 * crash are not lost in a worker.
 *
 * Secrets never reach a destination: fields named like secrets (apiKey, token, password,
 * authorization, masterKey, … at any depth) are replaced, and every serialized line is
 * scrubbed of the registered secret values — that catches a key quoted inside an error
 * message or a URL, which no field name would.
 */
export function createLogger(opts: LoggerOptions): Logger {
  const secrets = opts.secrets ?? secretRegistry;
  const now = opts.now;
  const options: pino.LoggerOptions = {
    level: opts.level,
    base: { pid: process.pid },
    timestamp:
      now === undefined ? pino.stdTimeFunctions.isoTime : () => `,"time":"${new Date(now()).toISOString()}"`,
    // Deep redaction by field name in pino's formatters rather than pino's `redact`: its
    // wildcard paths cost ~70x the logging time for four levels of depth (measured: 11k vs
    // 380k lines/s), and they still stop at a fixed depth.
    formatters: { log: (obj) => redactSecrets(obj), bindings: (b) => redactSecrets(b) },
    hooks: { streamWrite: (line) => secrets.scrub(line) },
  };
  const dest = opts.destination ?? process.stdout;
  const console: NodeJS.WritableStream | pino.DestinationStream =
    opts.format === 'json'
      ? dest
      : pretty({
          destination: dest,
          sync: true,
          colorize: dest === process.stdout && process.stdout.isTTY,
          ignore: 'pid,hostname',
          translateTime: 'SYS:HH:MM:ss.l',
        });
  const streams: pino.StreamEntry[] = [{ level: opts.level, stream: console }];
  if (opts.tail !== undefined) streams.push({ level: opts.level, stream: opts.tail });
  if (opts.files !== undefined) {
    streams.push({ level: opts.level, stream: opts.files.trading });
    streams.push({ level: 'error', stream: opts.files.errors });
  }
  const logger = streams.length === 1 ? pino(options, console) : pino(options, pino.multistream(streams));
  // pino applies the bindings formatter to the root only; a child's bindings (say a
  // request's headers) are redacted here. Children inherit this from the root.
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with the child's own `this` below
  const child = logger.child;
  const redactingChild = function (this: Logger, bindings: pino.Bindings, childOptions?: unknown): Logger {
    return Reflect.apply(child, this, [redactSecrets(bindings), childOptions]) as Logger;
  };
  logger.child = redactingChild as unknown as Logger['child'];
  return logger;
}
