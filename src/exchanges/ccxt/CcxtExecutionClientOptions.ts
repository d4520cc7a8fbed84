import type { Exchange } from 'ccxt';
import type { ClassifiedError } from './classifyExchangeError.js';
import type { ExecutionCapabilities } from './executionCapabilities.js';
import type { ForcedCloseKind } from './fetchForcedCloses.js';
import type { RequestGate } from './RequestGate.js';

/** Settings of a CcxtExecutionClient. */
export interface CcxtExecutionClientOptions {
  /** A ccxt instance holding the account's keys (never the market-data instance). */
  readonly exchange: Exchange;
  readonly capabilities: ExecutionCapabilities;
  /** Prepended to every OMS order id to form the exchange's client order id. */
  readonly clientIdPrefix: string;
  readonly gate: RequestGate;
  readonly now: () => number;
  /**
   * Longest time an order may stay of unknown outcome. Past it, an exchange that still
   * definitively answers "no such order" has never seen it: it cannot arrive later, because
   * the bound is chosen above the request's timeout plus the exchange's receive window, after
   * which a delayed request is refused on arrival.
   */
  readonly resolveWithinMs: number;
  /** Told of every request that failed and how it was classified. */
  readonly onProblem?: (what: string, err: ClassifiedError, orderId?: string) => void;
  /**
   * Told when the engine failed while taking a report of this venue (a journal or ledger write,
   * a broken invariant), as opposed to refusing stale news: the books may be half-written, so
   * the runtime halts trading (EngineFaults). Reports arrive from REST lookups and private
   * streams, where nothing above would see an exception.
   */
  readonly onReportFault: (err: unknown, what: string) => void;
  /** Told when an order of unknown outcome is resolved (found, or rejected after the bound). */
  readonly onResolved?: (orderId: string, unknownSince: number) => void;
  /**
   * Told when a private stream shows an order the exchange placed itself to close a position
   * (Binance: client order id "autoclose-…" = liquidation, "adl_autoclose" = auto-deleveraging).
   * The client books nothing of it: there is no order of ours to report to the OMS.
   */
  readonly onForcedClose?: (symbol: string, kind: ForcedCloseKind) => void;
  /** Pause before a failed private stream is watched again (default 500 ms). */
  readonly streamRetryMs?: number;
  /**
   * How long a (re)subscribing watch must stay pending on open sockets, without a message, to
   * count as subscribed (default 1000 ms): a refused connection or signature fails sooner.
   */
  readonly streamConfirmMs?: number;
}
