/** One log line as the dashboard and the WebSocket log channel show it. */
export interface LogLine {
  readonly time: number;
  readonly level: string;
  readonly msg: string;
  readonly data: Readonly<Record<string, unknown>>;
}

const LEVELS: Readonly<Record<number, string>> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/**
 * The last lines of the process log, kept in memory for the log-tail channel. It is a
 * pino destination (JSON lines in), bounded, and never throws back into the logger.
 */
export class LogTail {
  private readonly lines: LogLine[] = [];
  private readonly listeners = new Set<(line: LogLine) => void>();

  constructor(private readonly capacity = 500) {}

  /** pino destination interface. */
  write(chunk: string): void {
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(chunk) as Record<string, unknown>;
    } catch {
      return;
    }
    const { time, level, msg, pid: _pid, hostname: _host, ...data } = obj;
    const line: LogLine = {
      time: typeof time === 'number' ? time : Date.parse(String(time)),
      level: typeof level === 'number' ? (LEVELS[level] ?? String(level)) : String(level),
      msg: typeof msg === 'string' ? msg : '',
      data,
    };
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.shift();
    for (const fn of this.listeners) {
      try {
        fn(line);
      } catch {
        // A broken subscriber must never break logging.
      }
    }
  }

  recent(limit = this.capacity): LogLine[] {
    return this.lines.slice(-limit);
  }

  subscribe(fn: (line: LogLine) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
