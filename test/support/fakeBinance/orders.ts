/**
 * The orders and fills of the fake's account, in Binance's words. Amounts are exact: bigint
 * units of 1e-8 (Binance's finest precision), printed with decimal.ts's fmtUnits.
 */

/** Spot (/api/v3) or USDT-M futures (/fapi). */
export type Venue = 'spot' | 'futures';

/** Binance's order sides. */
export type OrderSide = 'BUY' | 'SELL';

/** Binance's order statuses (REJECTED orders are never stored: the request fails instead). */
export const OrderStatus = {
  New: 'NEW',
  PartiallyFilled: 'PARTIALLY_FILLED',
  Filled: 'FILLED',
  Canceled: 'CANCELED',
  Expired: 'EXPIRED',
} as const;
export type OrderStatus = (typeof OrderStatus)[keyof typeof OrderStatus];

/** Binance's execution types of an executionReport / ORDER_TRADE_UPDATE. */
export type ExecType = 'NEW' | 'TRADE' | 'CANCELED' | 'EXPIRED';

/** One order of the account; mutable fields change as it fills or ends. */
export interface FakeOrder {
  readonly venue: Venue;
  /** Binance market id, e.g. XRPETH. */
  readonly symbol: string;
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly side: OrderSide;
  /** MARKET, LIMIT, LIMIT_MAKER, STOP_LOSS_LIMIT, TAKE_PROFIT_LIMIT. */
  readonly type: string;
  /** GTC, IOC, FOK (futures also GTX = post only); undefined for MARKET and LIMIT_MAKER. */
  readonly timeInForce: string | undefined;
  /** Limit price; 0 for MARKET. */
  readonly price: bigint;
  /** Trigger price of STOP_LOSS_LIMIT / TAKE_PROFIT_LIMIT; 0 otherwise. */
  readonly stopPrice: bigint;
  /** Ordered quantity; for a spot MARKET order by quoteOrderQty, 0 until it ends. */
  origQty: bigint;
  /** Spot MARKET by quote amount: the quote to spend; 0 otherwise. */
  readonly quoteOrderQty: bigint;
  readonly reduceOnly: boolean;
  readonly time: number;
  executedQty: bigint;
  /** Quote amount filled so far (Binance's cummulativeQuoteQty / cumQuote). */
  cumQuote: bigint;
  status: OrderStatus;
  updateTime: number;
  /** false while a stop order waits for its trigger. */
  working: boolean;
  /** What the order still holds back from the balance (spot: quote for buys, base for sells). */
  locked: bigint;
  /** Set when the order was canceled by origClientOrderId (Binance echoes it). */
  origClientOrderId?: string;
}

/** One execution of an order: a trade of the account. */
export interface FakeFill {
  readonly venue: Venue;
  readonly symbol: string;
  /** Unique within the fake, increasing. */
  readonly tradeId: number;
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly side: OrderSide;
  readonly price: bigint;
  readonly qty: bigint;
  /** price × qty. */
  readonly quoteQty: bigint;
  readonly commission: bigint;
  readonly commissionAsset: string;
  /** Whether the order rested in the book (a maker fill at its limit price). */
  readonly maker: boolean;
  readonly time: number;
  /** Futures: profit or loss realized by this fill; 0 on spot. */
  readonly realizedPnl: bigint;
}

/** Whether the order can still fill. */
export function isOpen(o: FakeOrder): boolean {
  return o.status === OrderStatus.New || o.status === OrderStatus.PartiallyFilled;
}
