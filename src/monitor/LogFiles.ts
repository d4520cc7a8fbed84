import { DailyFileStream } from './DailyFileStream.js';

export interface LogFilesOptions {
  /** Folder of the daily files (config log.dir, default logs/app). */
  readonly dir: string;
  readonly now: () => number;
  /** Days of files kept; 0 keeps every file (leave it to logrotate or the operator). */
  readonly retainDays?: number;
  readonly onError?: (err: Error) => void;
}

/**
 * The process log's files: `trading-YYYY-MM-DD.log` with every line at or above the
 * configured level, and `error-YYYY-MM-DD.log` with errors and fatals only, so an operator
 * reads what went wrong today without wading through the trading chatter.
 */
export class LogFiles {
  readonly trading: DailyFileStream;
  readonly errors: DailyFileStream;

  constructor(readonly opts: LogFilesOptions) {
    const base = {
      dir: opts.dir,
      now: opts.now,
      ...(opts.retainDays === undefined ? {} : { retainDays: opts.retainDays }),
      ...(opts.onError === undefined ? {} : { onError: opts.onError }),
    };
    this.trading = new DailyFileStream({ ...base, prefix: 'trading' });
    this.errors = new DailyFileStream({ ...base, prefix: 'error' });
  }

  /** Today's files (what `tail -f` would follow). */
  paths(): { trading: string; errors: string } {
    return { trading: this.trading.currentPath, errors: this.errors.currentPath };
  }

  close(): void {
    this.trading.close();
    this.errors.close();
  }
}
