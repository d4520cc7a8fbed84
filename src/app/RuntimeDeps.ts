import type { Exchange } from 'ccxt';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Millis } from '../core/time.js';
import type { LogTail } from '../monitor/LogTail.js';
import type { AuditSink } from '../monitor/AuditSink.js';

/**
 * What the entry point hands the runtime besides its configuration: the process's logger and
 * audit trail, and the seams tests use to run an engine against fakes without a network.
 */
export interface RuntimeDeps {
  readonly log: Logger;
  /** Tests point the runtime at a local fake exchange. */
  readonly exchangeFactory?: () => Promise<Exchange>;
  /** Skip the HTTP server (tests that only need the engine). */
  readonly noHttp?: boolean;
  /** The audit trail; defaults to none (tests). */
  readonly audit?: AuditSink;
  /** The in-memory log tail the logger writes to (for the log channel). */
  readonly logTail?: LogTail;
  /** Skip the side services of src/app/services (tests that only need the engine). */
  readonly noServices?: boolean;
  /** Hooks added to the REST server before its routes (HTTP request metrics). */
  readonly instrumentApi?: (app: FastifyInstance) => void;
  /** Live tests: the keyed ccxt instance that trades (pointed at a fake exchange). */
  readonly tradingExchangeFactory?: () => Promise<Exchange>;
  /** Tests: the wall clock the engine reads (its timers still run on the event loop). */
  readonly wallClock?: () => Millis;
  /**
   * A stop asked for while the engine starts (SIGINT during a long warm-up): the warm-up is
   * abandoned, the live feed never starts, and the start ends with the engine stopped.
   */
  readonly signal?: AbortSignal;
}
