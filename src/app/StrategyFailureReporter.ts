import type { Logger } from 'pino';
import type { AuditSink } from '../monitor/AuditSink.js';
import type { StrategyFailure } from '../node/TradingNode.js';

/** Told of each strategy instance the engine quarantined (the metrics service counts them). */
export type StrategyFailureListener = (failure: StrategyFailure) => void;

/** The time of a failure as an ISO string; a time that is not one (a broken feed's NaN) as it is. */
function isoOrRaw(ts: number): string {
  return Number.isFinite(ts) ? new Date(ts).toISOString() : String(ts);
}

/**
 * What a shadow or live engine does when a strategy's handler throws and the node quarantined
 * the instance (TradingNode's onStrategyFailure): one error line in the log, which the notifier
 * forwards when one is configured (error-level lines, see notifyService); one
 * `strategy.failed` record in the audit trail; and the listeners told (the metric
 * `trading_strategy_failures_total`). Built before the node, as the node reports through it.
 */
export class StrategyFailureReporter {
  private readonly listeners = new Set<StrategyFailureListener>();

  constructor(
    private readonly log: Logger,
    private readonly audit: AuditSink,
  ) {}

  report(f: StrategyFailure): void {
    const { code, message } = f.error;
    const fields = {
      code,
      strategyId: f.strategyId,
      hook: f.hook,
      ...(f.symbol === undefined ? {} : { symbol: f.symbol }),
      at: isoOrRaw(f.ts),
    };
    // `err` carries the original's stack: it points at the strategy's line.
    this.log.error(
      { ...fields, err: f.error.cause ?? f.error },
      `${message}; strategy ${f.strategyId} quarantined: it gets no more data, timers or order events and sends no orders; its open orders and positions stay; the engine and the other strategies go on (a restart of the engine starts it again)`,
    );
    this.audit.record('strategy.failed', { ...fields, message }, f.strategyId);
    // A listener that throws (metrics are best effort) must not undo the quarantine's report.
    for (const l of this.listeners) {
      try {
        l(f);
      } catch (err) {
        this.log.warn({ err }, 'a strategy-failure listener threw');
      }
    }
  }

  /** Adds a listener; returns its removal. */
  subscribe(listener: StrategyFailureListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
