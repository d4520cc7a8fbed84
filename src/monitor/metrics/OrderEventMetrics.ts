import type { LiquidationBooked } from '../../kernel/topics.js';
import type { OrderEvent, OrderFilled } from '../../model/events.js';
import type { TradingMetrics } from './TradingMetrics.js';

/** Orders in flight whose latency is still open; beyond this the oldest is forgotten. */
const MAX_IN_FLIGHT = 10_000;

/**
 * Turns the bus's order events into counters and the order latency histogram.
 *
 * Latency runs from OrderSubmitted to the venue's first answer that proves it has the
 * order: OrderAccepted, or OrderFilled for an order that fills before any acknowledgement
 * (a market order on some venues). It is measured with the service clock at the moment
 * each event is published, because the bus is synchronous: event timestamps may come
 * from the venue's clock (market time in shadow mode), which must not be subtracted from
 * the engine's.
 */
export class OrderEventMetrics {
  private readonly submittedAt = new Map<string, number>();

  constructor(
    private readonly metrics: TradingMetrics,
    private readonly now: () => number,
  ) {}

  /** Orders whose latency is still being timed (a bounded number). */
  get inFlight(): number {
    return this.submittedAt.size;
  }

  onEvent(e: OrderEvent): void {
    switch (e.type) {
      case 'OrderInitialized':
        this.metrics.orders.inc({
          strategy: e.strategyId,
          symbol: e.symbol,
          side: e.request.side,
          type: e.request.type,
        });
        return;
      case 'OrderSubmitted':
        this.submittedAt.set(e.orderId, this.now());
        if (this.submittedAt.size > MAX_IN_FLIGHT) {
          const oldest = this.submittedAt.keys().next();
          if (oldest.done !== true) this.submittedAt.delete(oldest.value);
        }
        return;
      case 'OrderAccepted':
        this.answered(e.orderId);
        return;
      case 'OrderFilled':
        this.answered(e.orderId);
        this.countFill(e);
        return;
      case 'OrderDenied':
      case 'OrderRejected':
        this.submittedAt.delete(e.orderId);
        this.metrics.ordersFailed.inc({ reason: e.code });
        return;
      case 'OrderCanceled':
      case 'OrderExpired':
        this.submittedAt.delete(e.orderId);
        return;
      case 'OrderTriggered':
      case 'OrderCancelRequested':
      case 'OrderAmendRequested':
      case 'OrderAmended':
      case 'OrderAmendRejected':
        // Intents and in-place changes: the order's latency and its end are what is counted.
        return;
    }
  }

  /**
   * A liquidation's fill line (LIQUIDATION_FILLS): a fill like any other for the fill count, so
   * fills and volume panels do not miss the position's close. There is no order behind it, so
   * no latency to close. The liquidation itself is counted once, by onLiquidation.
   */
  onLiquidationFill(e: OrderFilled): void {
    this.countFill(e);
  }

  /**
   * A liquidation (or auto-deleveraging) booked (LIQUIDATIONS): one count however many fill
   * lines the venue closed the position in; more trades of a close already counted
   * (`continued`) are no new liquidation.
   */
  onLiquidation(e: LiquidationBooked): void {
    if (e.continued) return;
    this.metrics.liquidations.inc({ strategy: e.strategyId, symbol: e.symbol, side: e.side });
  }

  private countFill(e: OrderFilled): void {
    this.metrics.fills.inc({
      strategy: e.strategyId,
      symbol: e.symbol,
      side: e.side,
      liquidity: e.liquidity,
    });
  }

  private answered(orderId: string): void {
    const at = this.submittedAt.get(orderId);
    if (at === undefined) return;
    this.submittedAt.delete(orderId);
    this.metrics.orderLatency.observe(Math.max(0, this.now() - at) / 1000);
  }
}
