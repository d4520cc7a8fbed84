/**
 * The JSON shapes of Binance's spot account and trading API, built from the fake's orders,
 * fills and balances: REST answers and the user-data stream events share them.
 * https://developers.binance.com/docs/binance-spot-api-docs/rest-api/trading-endpoints
 * https://developers.binance.com/docs/binance-spot-api-docs/rest-api/account-endpoints
 * https://developers.binance.com/docs/binance-spot-api-docs/user-data-stream
 */
import { fmtUnits } from './decimal.js';
import type { ExecType, FakeFill, FakeOrder } from './orders.js';
import type { SpotBalance } from './SpotLedger.js';

const STP = 'EXPIRE_MAKER';

/** What Binance calls the order's type in answers (our stop types are limit orders). */
function common(o: FakeOrder): Record<string, unknown> {
  return {
    symbol: o.symbol,
    orderId: o.orderId,
    orderListId: -1,
    clientOrderId: o.clientOrderId,
    price: fmtUnits(o.price),
    origQty: fmtUnits(o.origQty),
    executedQty: fmtUnits(o.executedQty),
    cummulativeQuoteQty: fmtUnits(o.cumQuote),
    status: o.status,
    timeInForce: o.timeInForce ?? 'GTC',
    type: o.type,
    side: o.side,
  };
}

/** GET /api/v3/order, openOrders, allOrders: one order. */
export function spotOrder(o: FakeOrder): Record<string, unknown> {
  return {
    ...common(o),
    stopPrice: fmtUnits(o.stopPrice),
    icebergQty: fmtUnits(0n),
    time: o.time,
    updateTime: o.updateTime,
    isWorking: o.working,
    workingTime: o.working ? o.time : -1,
    origQuoteOrderQty: fmtUnits(o.quoteOrderQty),
    selfTradePreventionMode: STP,
  };
}

/** POST /api/v3/order answer in the requested newOrderRespType (ACK, RESULT or FULL). */
export function spotNewOrder(
  o: FakeOrder,
  fills: readonly FakeFill[],
  respType: string,
): Record<string, unknown> {
  const ack = {
    symbol: o.symbol,
    orderId: o.orderId,
    orderListId: -1,
    clientOrderId: o.clientOrderId,
    transactTime: o.time,
  };
  if (respType === 'ACK') return ack;
  const result = {
    ...ack,
    ...common(o),
    ...(o.stopPrice > 0n ? { stopPrice: fmtUnits(o.stopPrice) } : {}),
    origQuoteOrderQty: fmtUnits(o.quoteOrderQty),
    workingTime: o.working ? o.time : -1,
    selfTradePreventionMode: STP,
  };
  if (respType === 'RESULT') return result;
  return {
    ...result,
    fills: fills.map((f) => ({
      price: fmtUnits(f.price),
      qty: fmtUnits(f.qty),
      commission: fmtUnits(f.commission),
      commissionAsset: f.commissionAsset,
      tradeId: f.tradeId,
    })),
  };
}

/** DELETE /api/v3/order answer. */
export function spotCanceledOrder(o: FakeOrder, transactTime: number): Record<string, unknown> {
  return {
    symbol: o.symbol,
    origClientOrderId: o.origClientOrderId ?? o.clientOrderId,
    orderId: o.orderId,
    orderListId: -1,
    clientOrderId: o.clientOrderId,
    transactTime,
    ...common(o),
    origQuoteOrderQty: fmtUnits(o.quoteOrderQty),
    selfTradePreventionMode: STP,
  };
}

/** GET /api/v3/myTrades: one trade. */
export function spotMyTrade(f: FakeFill): Record<string, unknown> {
  return {
    symbol: f.symbol,
    id: f.tradeId,
    orderId: f.orderId,
    orderListId: -1,
    price: fmtUnits(f.price),
    qty: fmtUnits(f.qty),
    quoteQty: fmtUnits(f.quoteQty),
    commission: fmtUnits(f.commission),
    commissionAsset: f.commissionAsset,
    time: f.time,
    isBuyer: f.side === 'BUY',
    isMaker: f.maker,
    isBestMatch: true,
  };
}

/** GET /api/v3/account. */
export function spotAccount(
  balances: ReadonlyMap<string, SpotBalance>,
  makerBps: bigint,
  takerBps: bigint,
  updateTime: number,
  omitZero: boolean,
): Record<string, unknown> {
  const rate = (bps: bigint): string => fmtUnits((bps * 100_000_000n) / 10_000n);
  return {
    makerCommission: Number(makerBps),
    takerCommission: Number(takerBps),
    buyerCommission: 0,
    sellerCommission: 0,
    commissionRates: {
      maker: rate(makerBps),
      taker: rate(takerBps),
      buyer: fmtUnits(0n),
      seller: fmtUnits(0n),
    },
    canTrade: true,
    canWithdraw: true,
    canDeposit: true,
    brokered: false,
    requireSelfTradePrevention: false,
    preventSor: false,
    updateTime,
    accountType: 'SPOT',
    balances: [...balances]
      .filter(([, b]) => !omitZero || b.free !== 0n || b.locked !== 0n)
      .map(([asset, b]) => ({ asset, free: fmtUnits(b.free), locked: fmtUnits(b.locked) })),
    permissions: ['SPOT'],
    uid: 354937868,
  };
}

/** The executionReport event of an order change. */
export function executionReport(
  o: FakeOrder,
  execType: ExecType,
  fill: FakeFill | undefined,
  eventTime: number,
): Record<string, unknown> {
  return {
    e: 'executionReport',
    E: eventTime,
    s: o.symbol,
    c: o.clientOrderId,
    S: o.side,
    o: o.type,
    f: o.timeInForce ?? 'GTC',
    q: fmtUnits(o.origQty),
    p: fmtUnits(o.price),
    P: fmtUnits(o.stopPrice),
    F: fmtUnits(0n),
    g: -1,
    C: execType === 'CANCELED' ? (o.origClientOrderId ?? o.clientOrderId) : '',
    x: execType,
    X: o.status,
    r: 'NONE',
    i: o.orderId,
    l: fmtUnits(fill?.qty ?? 0n),
    z: fmtUnits(o.executedQty),
    L: fmtUnits(fill?.price ?? 0n),
    n: fmtUnits(fill?.commission ?? 0n),
    N: fill?.commissionAsset ?? null,
    T: fill?.time ?? o.updateTime,
    t: fill?.tradeId ?? -1,
    v: 0,
    I: 0,
    w: o.working && (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED'),
    m: fill?.maker ?? false,
    M: false,
    O: o.time,
    Z: fmtUnits(o.cumQuote),
    Y: fmtUnits(fill?.quoteQty ?? 0n),
    Q: fmtUnits(o.quoteOrderQty),
    W: o.working ? o.time : -1,
    V: STP,
  };
}

/** The outboundAccountPosition event: the changed assets' balances. */
export function outboundAccountPosition(
  assets: readonly [string, SpotBalance][],
  eventTime: number,
): Record<string, unknown> {
  return {
    e: 'outboundAccountPosition',
    E: eventTime,
    u: eventTime,
    B: assets.map(([a, b]) => ({ a, f: fmtUnits(b.free), l: fmtUnits(b.locked) })),
  };
}
