import { closeSync, mkdirSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { dateOfFileName, datedFileName, utcDate } from './utcDate.js';

export interface DailyFileStreamOptions {
  readonly dir: string;
  /** `trading` → trading-YYYY-MM-DD.log */
  readonly prefix: string;
  /** Wall clock (ms); the UTC date of each write picks the file. */
  readonly now: () => number;
  /** Files of this series older than this many days are deleted on rotation; 0 keeps all. */
  readonly retainDays?: number;
  /** Told once per failure streak (disk full, folder removed); logging itself never throws. */
  readonly onError?: (err: Error) => void;
}

const DAY_MS = 86_400_000;

/**
 * A pino destination writing one file per UTC day (`prefix-YYYY-MM-DD.log`). Writes are
 * synchronous appends, so the lines just before a crash are on disk and two processes may
 * append to one file without interleaving inside a line. The day is taken from the
 * injected clock at each write: the first line after midnight opens the next day's file.
 */
export class DailyFileStream {
  private fd: number | undefined;
  private day = '';
  private failing = false;
  /** Lines that could not be written (disk full, permissions). */
  failures = 0;

  constructor(private readonly opts: DailyFileStreamOptions) {
    mkdirSync(opts.dir, { recursive: true });
  }

  /** The file the next line goes to. */
  get currentPath(): string {
    return join(this.opts.dir, datedFileName(this.opts.prefix, this.opts.now(), 'log'));
  }

  write(chunk: string): boolean {
    try {
      const now = this.opts.now();
      const day = utcDate(now);
      if (day !== this.day || this.fd === undefined) this.rotate(now, day);
      writeSync(this.fd as number, chunk);
      this.failing = false;
    } catch (e) {
      this.failures++;
      this.closeFd();
      if (!this.failing) this.opts.onError?.(e as Error);
      this.failing = true;
    }
    return true;
  }

  close(): void {
    this.closeFd();
  }

  private rotate(now: number, day: string): void {
    this.closeFd();
    mkdirSync(this.opts.dir, { recursive: true });
    this.fd = openSync(join(this.opts.dir, datedFileName(this.opts.prefix, now, 'log')), 'a', 0o640);
    this.day = day;
    this.prune(now);
  }

  /** Deletes this series' files older than retainDays (never another series' files). */
  private prune(now: number): void {
    const keep = this.opts.retainDays ?? 0;
    if (keep <= 0) return;
    const oldest = utcDate(now - (keep - 1) * DAY_MS);
    for (const name of readdirSync(this.opts.dir)) {
      const date = dateOfFileName(this.opts.prefix, name, 'log');
      if (date !== undefined && date < oldest) rmSync(join(this.opts.dir, name), { force: true });
    }
  }

  private closeFd(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // Already closed or the disk is gone: nothing left to flush.
    }
    this.fd = undefined;
  }
}
