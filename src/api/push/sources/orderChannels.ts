import type { ExecutionEngine } from '../../../execution/ExecutionEngine.js';
import type { MessageBus } from '../../../kernel/MessageBus.js';
import { LIQUIDATION_FILLS, ORDER_EVENTS } from '../../../kernel/topics.js';
import type { FillRecord } from '../../../storage/sqlite/FillStore.js';
import { fillFromEvent } from '../../../storage/sqlite/FillStore.js';
import type { SourceContext } from './guard.js';
import { guarded } from './guard.js';
import { fillWire, orderEventWire, orderWire } from './wireFormat.js';

/** Fills a `fills` snapshot carries. */
export const RECENT_FILLS = 50;

/**
 * `orders`: every order event with the order's state after it (snapshot: the open orders).
 * `fills`: every execution, exact, liquidations included (snapshot: the latest fills from the
 * system of record).
 */
export function orderChannels(
  ctx: SourceContext,
  bus: MessageBus,
  oms: ExecutionEngine,
  recentFills: (limit: number) => readonly FillRecord[],
): () => void {
  const orders = ctx.registry.channel({
    name: 'orders',
    replayDepth: 1_000,
    snapshot: () => ({ open: oms.openOrders().map(orderWire) }),
  });
  const fills = ctx.registry.channel({
    name: 'fills',
    replayDepth: 1_000,
    // Newest first, as the REST fill list.
    snapshot: () => ({ recent: recentFills(RECENT_FILLS).map(fillWire) }),
  });
  const offOrders = bus.subscribe(
    ORDER_EVENTS,
    guarded(ctx.log, 'orders', (e) => {
      const order = oms.order(e.orderId);
      orders.publish({ event: orderEventWire(e), order: order === undefined ? null : orderWire(order) });
      if (e.type === 'OrderFilled') fills.publish(fillWire(fillFromEvent(e)));
    }),
  );
  // A liquidation is a fill line with no order (order id LIQUIDATION): on `fills` only.
  const offLiquidations = bus.subscribe(
    LIQUIDATION_FILLS,
    guarded(ctx.log, 'fills', (e) => fills.publish(fillWire(fillFromEvent(e)))),
  );
  return () => {
    offOrders();
    offLiquidations();
  };
}
