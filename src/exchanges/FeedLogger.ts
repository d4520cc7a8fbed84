/**
 * The logger a feed writes to: the subset of pino's API it uses, so the process logger
 * plugs in as is and a test can collect lines in an array.
 */
export interface FeedLogger {
  debug(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

/** A logger that drops everything. */
export const SILENT_LOGGER: FeedLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
