import type { Fixed } from '../core/Fixed.js';
import { ZERO, add, fromNumber, mul, sub } from '../core/Fixed.js';
import type { StrategyContext } from '../strategy/StrategyContext.js';

/** Why a spot buy cannot go out: under the instrument's minimums, or more than the free cash. */
export type BuyShortfall = 'minimum' | 'cash';

/**
 * Whether a spot buy of `quantity` at `price` (both already on the lot and tick) would
 * pass the risk engine's funds and minimum checks: positive, at least the instrument's
 * minimum quantity and notional, and notional plus taker fee within the settle cash not
 * yet committed to this strategy's open buys (costed the way the risk engine costs them).
 * Strategies that work many orders ask first, so a short wallet skips a level quietly
 * instead of sending an order per bar only to have each one denied.
 */
export function canAffordBuy(ctx: StrategyContext, symbol: string, quantity: Fixed, price: Fixed): boolean {
  return buyShortfall(ctx, symbol, quantity, price) === undefined;
}

/** What stops the buy `canAffordBuy` asks about, for a strategy that says why it skipped; undefined if nothing. */
export function buyShortfall(
  ctx: StrategyContext,
  symbol: string,
  quantity: Fixed,
  price: Fixed,
): BuyShortfall | undefined {
  const inst = ctx.instrument(symbol);
  if (quantity <= ZERO || quantity < inst.minQty) return 'minimum';
  const notional = mul(quantity, price);
  if (notional < inst.minNotional) return 'minimum';
  let free = ctx.portfolio.cash(inst.settle);
  for (const o of ctx.openOrders()) {
    if (o.side !== 'BUY' || o.request.parentId !== undefined || o.request.ocoGroup !== undefined) continue;
    const oi = ctx.instrument(o.symbol);
    if (oi.settle !== inst.settle) continue;
    const last = ctx.lastPrice(o.symbol);
    const px =
      o.request.price ?? o.request.triggerPrice ?? (last === undefined ? undefined : fromNumber(last));
    if (px === undefined) continue;
    const committed = mul(o.leavesQty, px);
    free = sub(free, add(committed, mul(committed, oi.takerFee)));
  }
  return add(notional, mul(notional, inst.takerFee)) <= free ? undefined : 'cash';
}
