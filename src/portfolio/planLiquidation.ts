import type { Fixed } from '../core/Fixed.js';
import { ZERO, abs, add, max, min, mul, neg, sub } from '../core/Fixed.js';
import type { MarginMode } from '../model/MarginMode.js';
import type { OrderSide } from '../model/enums.js';

/** What one liquidation books: the close, the clearance fee and what the insurance fund absorbs. */
export interface LiquidationPlan {
  readonly symbol: string;
  readonly mode: MarginMode;
  readonly side: OrderSide;
  readonly positionQty: Fixed;
  readonly price: Fixed;
  readonly realizedPnl: Fixed;
  readonly fee: Fixed;
  readonly insuranceCovered: Fixed;
}

/** One position a liquidation closes, at the price it closes at. */
export interface LiquidationClose {
  readonly symbol: string;
  /** Signed position quantity. */
  readonly qty: Fixed;
  readonly costBasis: Fixed;
  readonly price: Fixed;
  /** The instrument's clearance fee rate on the closed notional. */
  readonly feeRate: Fixed;
}

/**
 * Books a liquidation of `closes` (the liquidated position first) out of `backing`: the
 * margin behind an isolated position, or the cross wallet behind every cross position of a
 * settle currency. Every close realizes its PnL into what is left first, then each pays its
 * clearance fee in turn, capped at what is left, so the trader loses at most that backing;
 * a deficit beyond it is covered by the insurance fund and booked on the last close, which
 * brings the backing back to zero.
 */
export function planLiquidation(
  mode: MarginMode,
  backing: Fixed,
  closes: readonly LiquidationClose[],
): LiquidationPlan[] {
  let left = backing;
  const booked = closes.map((c) => {
    const pnl = sub(mul(c.qty, c.price), c.costBasis);
    left = add(left, pnl);
    return { c, pnl };
  });
  return booked.map(({ c, pnl }, i) => {
    const fee = max(ZERO, min(mul(mul(abs(c.qty), c.price), c.feeRate), left));
    left = sub(left, fee);
    const last = i === booked.length - 1;
    return {
      symbol: c.symbol,
      mode,
      side: c.qty > 0n ? 'SELL' : 'BUY',
      positionQty: c.qty,
      price: c.price,
      realizedPnl: pnl,
      fee,
      insuranceCovered: last && left < 0n ? neg(left) : ZERO,
    };
  });
}
