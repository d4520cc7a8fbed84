import type { OrderView } from '../model/OrderView.js';
import type { StrategyContext } from './StrategyContext.js';

/**
 * Turns a long/flat signal into orders the same way for every signal strategy, so they
 * cannot drift apart: nothing while one of the strategy's orders for the symbol is still
 * open; `long` while flat buys with the configured sizer; `flat` while long sells the
 * whole position. Returns the order placed, if any.
 */
export function followLongFlat(
  ctx: StrategyContext,
  symbol: string,
  signal: 'long' | 'flat' | undefined,
): OrderView | undefined {
  if (signal === undefined || ctx.openOrders(symbol).length > 0) return undefined;
  const pos = ctx.position(symbol);
  if (signal === 'long' && pos.isFlat) return ctx.buy(symbol);
  if (signal === 'flat' && pos.isLong) return ctx.sell(symbol);
  return undefined;
}

/** A crossover as a long/flat signal: +1 → long, −1 → flat, 0 → none. */
export function crossSignal(cross: number): 'long' | 'flat' | undefined {
  return cross > 0 ? 'long' : cross < 0 ? 'flat' : undefined;
}
