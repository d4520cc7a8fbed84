import type { OrderSide } from '../model/enums.js';

/**
 * A round trip: a position opened and closed again (or still open at the end, marked
 * to the last price). Statistics such as win rate and profit factor are over these.
 */
export interface RoundTrip {
  readonly symbol: string;
  readonly strategyId: string;
  /** BUY for a long round trip, SELL for a short one. */
  readonly side: OrderSide;
  readonly entryTs: number;
  readonly exitTs: number;
  readonly entryPrice: number;
  readonly exitPrice: number;
  readonly quantity: number;
  /** Net of fees. */
  readonly pnl: number;
  readonly fees: number;
  /** pnl ÷ entry notional. */
  readonly returnPct: number;
  readonly barsHeld: number;
  /** False when the trip was still open at the end of the run. */
  readonly closed: boolean;
}

/** Equity sampled once per base bar, after fills and marks. */
export interface EquityCurve {
  readonly ts: Float64Array;
  readonly equity: Float64Array;
}

/** One fill as the trade log records it (floats for reporting; the ledger keeps the exact amounts). */
export interface FillRecord {
  readonly ts: number;
  readonly orderId: string;
  readonly tradeId: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly quantity: number;
  readonly price: number;
  /** Fee charged, in `feeCurrency`: the settle currency, or the coin where the instrument takes fees in it (feeSide). */
  readonly fee: number;
  readonly feeCurrency: string;
  /** Index of the base bar during which the fill happened. */
  readonly barIndex: number;
}
