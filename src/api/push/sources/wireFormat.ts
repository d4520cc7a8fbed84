import type { Fixed } from '../../../core/Fixed.js';
import { formatFixed } from '../../../core/Fixed.js';
import type { OrderEvent } from '../../../model/events.js';
import type { Order } from '../../../model/Order.js';
import type { FillRecord } from '../../../storage/sqlite/FillStore.js';

/**
 * How engine objects look on the wire. Exact amounts (Fixed) travel as decimal strings, so
 * a browser never rounds money through a float; prices of market data stay numbers.
 */
export type Wire = string | number | boolean | null | readonly Wire[] | { readonly [k: string]: Wire };

/** Any engine value as JSON-safe data: every bigint (always a Fixed in our model) becomes its decimal text. */
export function toWire(value: unknown): Wire {
  switch (typeof value) {
    case 'bigint':
      return formatFixed(value as Fixed);
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) return value.map(toWire);
      const out: Record<string, Wire> = {};
      for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toWire(v);
      return out;
    }
    default:
      return null;
  }
}

/** An order's current state as the dashboard lists it. */
export function orderWire(o: Order): Wire {
  const r = o.request;
  return toWire({
    id: o.id,
    strategyId: o.strategyId,
    symbol: o.symbol,
    side: o.side,
    type: r.type,
    quantity: r.quantity,
    price: r.price,
    triggerPrice: r.triggerPrice,
    timeInForce: r.timeInForce,
    reduceOnly: r.reduceOnly,
    tag: r.tag,
    status: o.status,
    filledQty: o.filledQty,
    avgPx: o.avgPx,
    feesPaid: o.feesPaid,
    venueOrderId: o.venueOrderId,
    reasonCode: o.reasonCode,
    reason: o.reason,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
  });
}

export function orderEventWire(e: OrderEvent): Wire {
  return toWire(e);
}

export function fillWire(f: FillRecord): Wire {
  return toWire(f);
}
