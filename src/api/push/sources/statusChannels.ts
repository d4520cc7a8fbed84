import type { LogLine } from '../../../monitor/LogTail.js';
import type { SourceContext } from './guard.js';
import { guarded } from './guard.js';

/** Trading state as the `risk` channel shows it. */
export interface RiskStateView {
  readonly state: string;
  readonly reason: string;
}

/**
 * A channel for state the engine does not announce (the trading state is set directly by
 * the kill switch; strategy status lives in the status report): read on a timer, published
 * when its key changes. `key` is cheap; `read` runs only on a change and for snapshots.
 */
export function watchedChannel(
  ctx: SourceContext,
  name: string,
  key: () => string,
  read: () => unknown,
  everyMs: number,
): () => void {
  const ch = ctx.registry.channel({ name, snapshot: read });
  let last = key();
  const check = guarded<void>(ctx.log, name, () => {
    const k = key();
    if (k === last) return;
    last = k;
    ch.publish(read());
  });
  const timer = setInterval(() => check(), Math.max(10, everyMs));
  timer.unref();
  return () => clearInterval(timer);
}

/** What the `logs` channel reads: the process log's in-memory tail. */
export interface LogSource {
  recent(limit?: number): LogLine[];
  subscribe(fn: (line: LogLine) => void): () => void;
}

/** Log lines a `logs` snapshot carries. */
export const LOG_SNAPSHOT_LINES = 100;

/** `logs`: every line the process logs (snapshot: the last lines). */
export function logChannel(ctx: SourceContext, tail: LogSource): () => void {
  const ch = ctx.registry.channel({
    name: 'logs',
    replayDepth: 500,
    snapshot: () => ({ lines: tail.recent(LOG_SNAPSHOT_LINES) }),
  });
  return tail.subscribe((line) => ch.publish(line));
}
