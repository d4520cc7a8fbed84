import type { Fixed } from '../core/Fixed.js';
import { neg } from '../core/Fixed.js';
import type { Millis } from '../core/time.js';
import type { MarginMode } from './MarginMode.js';
import type { OrderSide } from './enums.js';
import type { OrderFilled } from './events.js';

/**
 * A funding settlement of a perpetual: at each funding time (Binance USDT-M: 00:00, 08:00
 * and 16:00 UTC) longs pay shorts `position notional at mark × funding rate` when the rate
 * is positive, shorts pay longs when it is negative. Every strategy trading the symbol
 * hears it, flat or not: the rate itself is market information (a crowded side).
 * https://www.binance.com/en/support/faq/introduction-to-binance-futures-funding-rates-360033525031
 */
export interface FundingSettled {
  readonly type: 'FundingSettled';
  readonly symbol: string;
  /** Funding time, as the venue stamped it. */
  readonly ts: Millis;
  /** The settled rate (0.0001 = 0.01 % per interval). */
  readonly rate: Fixed;
  /** Mark price the notional was valued at. */
  readonly markPrice: Fixed;
  /** Signed position held at the funding time (zero: nothing paid or received). */
  readonly positionQty: Fixed;
  /** Cash booked to the account: negative = paid, positive = received. */
  readonly amount: Fixed;
  readonly currency: string;
}

/**
 * The venue closed a position because its margin balance fell to the maintenance margin.
 * Open orders of the symbol were canceled first, as Binance does. The trader's loss is
 * the realized PnL at `price` plus `fee` (the liquidation clearance fee); what the market
 * took beyond the position's margin (a gap through the bankruptcy price) is
 * `insuranceCovered`, absorbed by the venue's insurance fund.
 */
export interface PositionLiquidated {
  readonly type: 'PositionLiquidated';
  readonly symbol: string;
  readonly ts: Millis;
  readonly marginMode: MarginMode;
  /** Side of the closing trade (SELL closes a long). */
  readonly side: OrderSide;
  /** Signed position before liquidation. */
  readonly positionQty: Fixed;
  /** Price the position was closed at (the liquidation price, or worse on a gap). */
  readonly price: Fixed;
  /** Mark price that triggered it. */
  readonly markPrice: Fixed;
  readonly realizedPnl: Fixed;
  readonly fee: Fixed;
  readonly insuranceCovered: Fixed;
  readonly currency: string;
}

/** The venue's mark price of a perpetual moved (margin and unrealized PnL are valued at it). */
export interface MarkPriceUpdated {
  readonly type: 'MarkPriceUpdated';
  readonly symbol: string;
  readonly ts: Millis;
  readonly price: number;
}

/** Events of the futures clearing (mark, funding, liquidation), in the order they happened. */
export type ClearingEvent = MarkPriceUpdated | FundingSettled | PositionLiquidated;

/** The order id of a liquidation's fill line: no order of the OMS has it. */
export const LIQUIDATION_ORDER_ID = 'LIQUIDATION';

/**
 * A liquidation as the trade log and the fills store show it: a taker fill of order
 * `LIQUIDATION` (nothing for the OMS to track or reconcile) closing the whole position at the
 * liquidation price with the clearance fee, credited to `strategyId`. Backtests and shadow mode
 * write the same line; each chooses a trade id unique where it is kept.
 */
export function liquidationFill(e: PositionLiquidated, strategyId: string, tradeId: string): OrderFilled {
  return {
    type: 'OrderFilled',
    eventId: '',
    orderId: LIQUIDATION_ORDER_ID,
    tradeId,
    strategyId,
    symbol: e.symbol,
    ts: e.ts,
    side: e.side,
    lastQty: e.positionQty < 0n ? neg(e.positionQty) : e.positionQty,
    lastPx: e.price,
    fee: e.fee,
    feeCurrency: e.currency,
    liquidity: 'TAKER',
  };
}
