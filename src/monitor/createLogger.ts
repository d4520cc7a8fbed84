import pino from 'pino';
import type { Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogTail } from './LogTail.js';

export interface LoggerOptions {
  level: 'error' | 'warn' | 'info' | 'debug' | 'trace';
  format: 'json' | 'pretty';
  /** Defaults to stdout (what PM2 and Docker collect). */
  destination?: NodeJS.WritableStream;
  /** Also feed the in-memory tail (the log channel of the WebSocket push and dashboard). */
  tail?: LogTail;
}

/**
 * The process logger. JSON lines for machines, or a readable one-line format for people;
 * written synchronously, so the last lines before a crash are not lost in a worker.
 */
export function createLogger(opts: LoggerOptions): Logger {
  const base = { level: opts.level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime };
  const dest = opts.destination ?? process.stdout;
  const withTail = (stream: NodeJS.WritableStream | pino.DestinationStream): Logger =>
    opts.tail === undefined
      ? pino(base, stream)
      : pino(
          base,
          pino.multistream([
            { level: opts.level, stream },
            { level: opts.level, stream: opts.tail },
          ]),
        );
  if (opts.format === 'json') return withTail(dest);
  const stream = pretty({
    destination: dest,
    sync: true,
    colorize: dest === process.stdout && process.stdout.isTTY,
    ignore: 'pid,hostname',
    translateTime: 'SYS:HH:MM:ss.l',
  });
  return withTail(stream);
}
