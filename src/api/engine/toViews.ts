import type { Fixed } from '../../core/Fixed.js';
import { formatFixed } from '../../core/Fixed.js';
import type { OrderRequest } from '../../model/OrderRequest.js';
import type { FillRecord } from '../../storage/sqlite/FillStore.js';
import type { RunRecord } from '../../storage/sqlite/RunStore.js';
import type { FillView, OrderView, RunView } from '../views.js';

/** What both an in-memory Order and a stored OrderRecord tell about an order. */
export interface OrderLike {
  readonly id: string;
  readonly strategyId: string;
  readonly request: OrderRequest;
  readonly status: string;
  readonly filledQty: Fixed;
  readonly avgPx: Fixed | undefined;
  readonly feesPaid: Fixed;
  readonly reasonCode: string | undefined;
  readonly reason: string | undefined;
  readonly cancelRequestedAt: number | undefined;
  readonly createdAt: number;
  readonly updatedAt: number;
}

const opt = (x: Fixed | undefined): string | null => (x === undefined ? null : formatFixed(x));

export function orderView(o: OrderLike): OrderView {
  const r = o.request;
  return {
    id: o.id,
    strategyId: o.strategyId,
    symbol: r.symbol,
    side: r.side,
    type: r.type,
    status: o.status,
    quantity: formatFixed(r.quantity),
    price: opt(r.price),
    triggerPrice: opt(r.triggerPrice),
    timeInForce: r.timeInForce,
    reduceOnly: r.reduceOnly,
    postOnly: r.postOnly,
    tag: r.tag ?? null,
    filledQty: formatFixed(o.filledQty),
    avgPx: opt(o.avgPx),
    feesPaid: formatFixed(o.feesPaid),
    reasonCode: o.reasonCode ?? null,
    reason: o.reason ?? null,
    cancelRequestedAt: o.cancelRequestedAt ?? null,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
  };
}

export function fillView(f: FillRecord): FillView {
  return {
    orderId: f.orderId,
    tradeId: f.tradeId,
    strategyId: f.strategyId,
    symbol: f.symbol,
    side: f.side,
    qty: formatFixed(f.qty),
    px: formatFixed(f.px),
    fee: formatFixed(f.fee),
    feeCurrency: f.feeCurrency,
    liquidity: f.liquidity,
    ts: f.ts,
  };
}

export function runView(r: RunRecord): RunView {
  return {
    id: r.id,
    mode: r.mode,
    status: r.status,
    startedAt: r.startedAt,
    stoppedAt: r.stoppedAt ?? null,
    error: r.error ?? null,
  };
}
