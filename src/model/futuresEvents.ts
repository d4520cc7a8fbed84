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
  /**
   * The venue's own trades that closed the position, when it reports them (live: the exchange's
   * liquidation order filled in one or more trades, each with its price, quantity and fee). The
   * ledger books each of them, so the account follows the exchange's wallet to the unit, and
   * each is a fill line. Absent (backtest, shadow): one trade of the whole position at `price`
   * with `fee`.
   */
  readonly trades?: readonly LiquidationTrade[];
}

/** One trade of a liquidation, as the venue booked it. */
export interface LiquidationTrade {
  /** The venue's trade id (unique per symbol at the venue). */
  readonly id: string;
  readonly ts: Millis;
  readonly qty: Fixed;
  readonly price: Fixed;
  readonly fee: Fixed;
  readonly feeCurrency: string;
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
  return liquidationFills(e, strategyId, () => tradeId)[0] as OrderFilled;
}

/**
 * The fill lines of a liquidation: one per trade the venue reported (`e.trades`), else the one
 * line of `liquidationFill`. `tradeId` names each line from the venue's trade id (undefined for
 * the single line of a venue that reports no trades).
 */
export function liquidationFills(
  e: PositionLiquidated,
  strategyId: string,
  tradeId: (venueTradeId: string | undefined) => string,
): OrderFilled[] {
  const base = {
    type: 'OrderFilled',
    eventId: '',
    orderId: LIQUIDATION_ORDER_ID,
    strategyId,
    symbol: e.symbol,
    side: e.side,
    liquidity: 'TAKER',
  } as const;
  if (e.trades !== undefined)
    return e.trades.map((t) => ({
      ...base,
      tradeId: tradeId(t.id),
      ts: t.ts,
      lastQty: t.qty,
      lastPx: t.price,
      fee: t.fee,
      feeCurrency: t.feeCurrency,
    }));
  return [
    {
      ...base,
      tradeId: tradeId(undefined),
      ts: e.ts,
      lastQty: e.positionQty < 0n ? neg(e.positionQty) : e.positionQty,
      lastPx: e.price,
      fee: e.fee,
      feeCurrency: e.currency,
    },
  ];
}
