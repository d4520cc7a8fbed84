import type { Logger } from 'pino';
import { isQtsError } from '../core/QtsError.js';
import type { Millis } from '../core/time.js';
import type { TradingNode } from '../node/TradingNode.js';

/** The code of a failure of the engine's own processing of market data. */
export const ERR_ENGINE_FAULT = 'ERR_ENGINE_FAULT';

/** After the first fault, how often a still-failing engine says so again. */
const REPEAT_LOG_MS = 60_000;

/**
 * What a running engine does when its own processing of a bar or trade throws — the venue's
 * matching, the OMS and its journal, the ledger, a save to SQLite (a full disk, a locked or
 * damaged file), a broken invariant. A strategy's exception is not one: the node quarantines
 * that strategy (strategyFailed). Here the engine's books may be half-written, so it must not
 * trade on them: trading is HALTED at the first fault (persisted, audited and notified as any
 * halt, and kept across a restart) until an operator has looked and resumes it. Orders already
 * resting stay (protective stops keep protecting); cancels still go through; market data keeps
 * flowing, so prices, equity and the API stay current. The stream itself is never stopped by it.
 *
 * The first fault is logged with its stack; a fault that repeats on every bar or trade is
 * logged once a minute with a count, so a full disk does not flood the log and the notifier.
 */
export class EngineFaults {
  private count = 0;
  private lastLogAt = -Infinity;
  /** Errors already counted: one told again from another place is the same fault. */
  private readonly reported = new WeakSet<object>();

  constructor(
    private readonly node: TradingNode,
    private readonly log: Logger,
    private readonly now: () => Millis,
  ) {}

  /** The engine failed processing `what` ("BTC/USDT 1m bar at …"). */
  fault(err: unknown, what: string): void {
    // The order journal reports every write it could not make (faultReportingJournal), after
    // the same error has usually been reported where it surfaced: the bar, venue report or
    // strategy call that sent the order, which says better what the engine was doing.
    if (typeof err === 'object' && err !== null) {
      if (this.reported.has(err)) return;
      this.reported.add(err);
    }
    this.count++;
    const message = err instanceof Error ? err.message : String(err);
    const cause = isQtsError(err) ? err.code : err instanceof Error ? err.name : 'unknown';
    const now = this.now();
    if (this.count === 1 || now - this.lastLogAt >= REPEAT_LOG_MS) {
      this.lastLogAt = now;
      this.log.error(
        { code: ERR_ENGINE_FAULT, cause, faults: this.count, err },
        `${ERR_ENGINE_FAULT}: the engine failed processing ${what}: ${message}` +
          (this.count > 1 ? ` (${this.count} faults so far)` : ''),
      );
    }
    if (this.node.risk.state === 'HALTED') return;
    this.node.risk.setState(
      'HALTED',
      `engine fault (${cause}) processing ${what}: ${message}; trading stays halted until an operator resumes it`,
      ERR_ENGINE_FAULT,
    );
  }
}
