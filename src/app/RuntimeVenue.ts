import type { ComponentHealth } from '../api/EngineStatus.js';
import type { ExecutionClient, ExecutionReportSink } from '../execution/ExecutionClient.js';
import type { Bar, Trade } from '../model/Bar.js';
import type { Order } from '../model/Order.js';

/**
 * Where a running engine's orders go: the one part in which shadow and live differ (besides
 * the clock). Shadow wraps the SimulatedVenue, live the ccxt execution client with its
 * reconciliation; the runtime around them is the same code.
 */
export interface RuntimeVenue {
  readonly client: ExecutionClient;
  /** Where the OMS sends orders when that is not `client` itself (live: the contingent-order emulator in front of it). */
  readonly orderClient?: ExecutionClient;
  /** Where the venue sends its reports (the node's OMS). */
  connect(sink: ExecutionReportSink): void;
  /** An open order restored from the journal after a restart. */
  adopt(order: Order): void;
  /** Market data the venue may match on (the simulated venue does; an exchange matches itself). */
  onClosedBar(bar: Bar): void;
  onTrade(trade: Trade): void;
  /**
   * Everything that must hold before any strategy may send an order (live: the account
   * reconciled with the exchange). Resolves when it does; rejects with a coded error if it
   * cannot be reached.
   */
  prepare(): Promise<void>;
  /** Health parts the venue adds to /health/ready. */
  components(): ComponentHealth[];
  stop(): Promise<void>;
}
