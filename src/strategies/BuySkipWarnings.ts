import type { Fixed } from '../core/Fixed.js';
import { formatFixed } from '../core/Fixed.js';
import type { StrategyContext } from '../strategy/StrategyContext.js';
import type { BuyShortfall } from './canAffordBuy.js';

/**
 * Says the buys a strategy skips because `buyShortfall` finds them unaffordable. Such a buy is
 * never sent, so no refusal reaches the engine and its all-refused warning cannot see it: a
 * grid whose every rung was skipped (a budget under the instrument's minimum order, cash in
 * another currency) ended flat without a word. The first skip of a symbol for a reason is a
 * warning naming the symbol, the buy's cost and what stopped it (the cash available, or the
 * instrument's minimums).
 *
 * With `untilBuy` (dca), a buy of the symbol that goes through re-arms the warning, and the
 * skips in between are debug lines: a skip after buys is news. Without it (grid, rebalancing),
 * each symbol and reason is warned of once per run and later skips are not said at all, since
 * those strategies ask again on every bar.
 */
export class BuySkipWarnings {
  /** "symbol reason" keys already warned of. */
  private readonly warned = new Set<string>();

  constructor(private readonly untilBuy: boolean) {}

  /**
   * A buy of `qty` of `symbol` not sent for `shortfall`; `cost` words what it would have cost
   * ("for 100 USDT"), called only when a line is written.
   */
  skipped(
    ctx: StrategyContext,
    symbol: string,
    qty: Fixed,
    shortfall: BuyShortfall,
    cost: () => string,
  ): void {
    const key = `${symbol} ${shortfall}`;
    const first = !this.warned.has(key);
    if (!first && !this.untilBuy) return;
    const msg = `buy of ${symbol} ${cost()} skipped: ${why(ctx, symbol, qty, shortfall)}`;
    const data = { symbol, shortfall };
    if (!first) {
      ctx.log.debug(msg, data);
      return;
    }
    this.warned.add(key);
    const rest = this.untilBuy
      ? 'the next skips are not repeated until a buy goes through'
      : 'the next skips of it for this reason are not repeated';
    ctx.log.warn(`${msg}; ${rest}`, data);
  }

  /** A buy of `symbol` went out: with `untilBuy`, its next skip warns again. */
  bought(symbol: string): void {
    if (!this.untilBuy) return;
    this.warned.delete(`${symbol} minimum`);
    this.warned.delete(`${symbol} cash`);
  }
}

function why(ctx: StrategyContext, symbol: string, qty: Fixed, shortfall: BuyShortfall): string {
  const inst = ctx.instrument(symbol);
  return shortfall === 'minimum'
    ? `below the instrument's minimum order (quantity ${formatFixed(qty)}, minimum ${formatFixed(inst.minQty)}, minimum notional ${formatFixed(inst.minNotional)} ${inst.quote})`
    : `it costs more than the ${formatFixed(ctx.portfolio.available(inst.settle))} ${inst.settle} available (fees on top)`;
}
