import type { StrategyLogSink } from '../node/StrategyLogSink.js';

/** Warnings a report keeps verbatim; beyond them it only counts. */
const KEPT = 20;

/**
 * The warnings and errors a strategy logs during a backtest, for the report and the CLI (a
 * basket dropping a symbol whose data ended, a pair winding down a gone leg): the rest of its
 * log stays dropped, since millions of lines would dominate the run. The first few are kept
 * with their bar time, then only a count.
 */
export class StrategyWarnings {
  private readonly lines: string[] = [];
  private more = 0;

  readonly sink: StrategyLogSink = (level, strategyId, msg, _data, ts) => {
    if (level !== 'warn' && level !== 'error') return;
    if (this.lines.length < KEPT) this.lines.push(`${strategyId} at ${new Date(ts).toISOString()}: ${msg}`);
    else this.more += 1;
  };

  /** The kept lines, and how many more there were. */
  list(): string[] {
    return this.more === 0 ? [...this.lines] : [...this.lines, `… and ${this.more} more strategy warnings`];
  }
}
