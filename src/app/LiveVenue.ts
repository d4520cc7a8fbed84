import type { Logger } from 'pino';
import type { ComponentHealth } from '../api/EngineStatus.js';
import type { LiveConfig } from '../config/configSchema.js';
import { QtsError } from '../core/QtsError.js';
import type { CcxtExecutionClient } from '../exchanges/ccxt/CcxtExecutionClient.js';
import type { RequestGate } from '../exchanges/ccxt/RequestGate.js';
import type { ExecutionReportSink } from '../execution/ExecutionClient.js';
import type { Order } from '../model/Order.js';
import type { LiveReconciler } from './LiveReconciler.js';
import type { RuntimeVenue } from './RuntimeVenue.js';

/**
 * Live mode's venue: the ccxt execution client, its REST sync and private streams, and the
 * reconciliation that must agree with the exchange before any strategy starts.
 */
export class LiveVenue implements RuntimeVenue {
  private syncTimer: NodeJS.Timeout | undefined;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private syncing = false;
  private stopped = false;

  constructor(
    readonly client: CcxtExecutionClient,
    readonly reconciler: LiveReconciler,
    private readonly gate: RequestGate,
    private readonly live: LiveConfig,
    private readonly log: Logger,
    private readonly close: () => Promise<void>,
  ) {}

  connect(sink: ExecutionReportSink): void {
    this.client.setSink(sink);
  }

  adopt(order: Order): void {
    this.client.adopt(order);
  }

  onClosedBar(): void {
    // The exchange matches its own orders.
  }

  onTrade(): void {
    // The exchange matches its own orders.
  }

  /**
   * Reconciles until the account agrees with the exchange (in-flight orders resolved within
   * their bound), then starts the periodic sync, streams and reconciliation. Gives up with
   * ERR_RECONCILIATION_FAILED after twice the resolution bound: trading on books that
   * disagree with the exchange is worse than not trading.
   */
  async prepare(): Promise<void> {
    const deadline = Date.now() + 2 * this.live.resolveWithinMs;
    for (;;) {
      if (this.stopped)
        throw new QtsError('ERR_RECONCILIATION_FAILED', 'stopped before reconciliation ended');
      try {
        if (await this.reconciler.run('startup')) break;
      } catch (e) {
        this.log.warn({ err: e }, 'startup reconciliation: exchange unreachable, retrying');
      }
      if (Date.now() > deadline)
        throw new QtsError(
          'ERR_RECONCILIATION_FAILED',
          `the account does not agree with the exchange after ${2 * this.live.resolveWithinMs} ms: ${this.reconciler.component().detail}`,
        );
      await new Promise((r) => setTimeout(r, this.live.syncIntervalMs));
    }
    if (this.live.streams) this.client.startStreams();
    this.syncTimer = setInterval(() => void this.sync(), this.live.syncIntervalMs);
    this.reconcileTimer = setInterval(() => void this.reconcile(), this.live.reconcileIntervalMs);
  }

  private async sync(): Promise<void> {
    if (this.syncing || this.stopped) return;
    this.syncing = true;
    try {
      await this.client.sync();
    } finally {
      this.syncing = false;
    }
  }

  private async reconcile(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.reconciler.run('periodic');
    } catch (e) {
      this.log.warn({ err: e }, 'periodic reconciliation failed; retried next period');
    }
  }

  components(): ComponentHealth[] {
    const unknown = this.client.unknownOrders();
    const bound = this.live.resolveWithinMs;
    const stuck = unknown.filter((u) => u.ageMs > bound);
    const banned = this.gate.blockedUntil();
    return [
      this.reconciler.component(),
      {
        name: 'execution',
        ready: stuck.length === 0 && banned === 0,
        detail: `${unknown.length} order(s) of unknown outcome (${stuck.length} past ${bound} ms)${banned ? `; exchange requests paused until ${new Date(banned).toISOString()}` : ''}`,
      },
    ];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.syncTimer !== undefined) clearInterval(this.syncTimer);
    if (this.reconcileTimer !== undefined) clearInterval(this.reconcileTimer);
    this.client.stopStreams();
    await this.client.idle();
    await this.close();
  }
}
