import { ZERO, formatFixed, fromNumber, floorToStep, mul, toNumber } from '../core/Fixed.js';
import { sellableWithFee } from '../model/Instrument.js';
import type { StrategyContext } from '../strategy/StrategyContext.js';
import { BuySkipWarnings } from './BuySkipWarnings.js';
import { buyShortfall, canAffordBuy } from './canAffordBuy.js';

/**
 * The skipped buys of each strategy (its context lives as long as its run): warned of once per
 * run and symbol and reason, since a rebalance asks again at every step.
 */
const SKIPS = new WeakMap<StrategyContext, BuySkipWarnings>();

function skipsOf(ctx: StrategyContext): BuySkipWarnings {
  let skips = SKIPS.get(ctx);
  if (skips === undefined) {
    skips = new BuySkipWarnings(false);
    SKIPS.set(ctx, skips);
  }
  return skips;
}

/** How a rebalance step ended. */
export type RebalanceStatus = 'pending' | 'done';

/**
 * One step of moving a spot portfolio toward target weights (fractions of equity per
 * symbol; symbols of `universe` not in `targets` are held at zero). Spot cannot spend the
 * cash of a sale before it settles, so a rebalance takes turns: while any order of the
 * strategy in a symbol of `universe` is open it waits (an order in a symbol left out, e.g.
 * one whose market is gone, can never hold the rebalance back); then it sells what is
 * above target (all of a symbol whose target is zero); only when nothing is left to sell
 * does it buy up to target, as far as cash goes, one buy per step. A holding within `tolerance` × equity of its target is left alone, so a
 * rebalance does not churn fees over small drifts. Returns 'done' once nothing is left to do.
 * A buy the cash cannot cover even scaled down (or under the instrument's minimum order) is not
 * sent; its first skip per symbol and reason is a warning (see BuySkipWarnings), as no refusal
 * of the engine would say it.
 */
export function rebalanceToWeights(
  ctx: StrategyContext,
  universe: readonly string[],
  targets: ReadonlyMap<string, number>,
  tolerance = 0.02,
): RebalanceStatus {
  if (universe.some((symbol) => ctx.openOrders(symbol).length > 0)) return 'pending';
  const equity = ctx.portfolio.equity();
  const diffs: { symbol: string; qty: number; price: number }[] = [];
  for (const symbol of universe) {
    const price = ctx.lastPrice(symbol);
    if (price === undefined || !(price > 0)) continue;
    const target = ((targets.get(symbol) ?? 0) * equity) / price;
    const pos = ctx.position(symbol);
    const held = pos.qtyNumber;
    const diff = target - held;
    // A whole-position sell that paid its fee in the base coin leaves dust no sell can take
    // (see sellableWithFee): the exit is done, rather than retried on every step.
    const unsellable = pos.qty > 0n && sellableWithFee(ctx.instrument(symbol), pos.qty) === ZERO;
    if (target === 0 && held > 0 && !unsellable) diffs.push({ symbol, qty: -held, price });
    else if (Math.abs(diff) * price > tolerance * equity) diffs.push({ symbol, qty: diff, price });
  }
  let sent = false;
  for (const d of diffs) {
    if (d.qty >= 0) continue;
    const whole = targets.get(d.symbol) === undefined || targets.get(d.symbol) === 0;
    const order = whole ? ctx.sell(d.symbol) : ctx.sell(d.symbol, floorQty(ctx, d.symbol, -d.qty));
    if (!order.isTerminal || order.filledQty > 0n) sent = true;
  }
  if (sent) return 'pending';
  for (const d of diffs) {
    if (d.qty <= 0) continue;
    const qty = floorToStep(fromNumber(d.qty), ctx.instrument(d.symbol).lotSize);
    const px = fromNumber(d.price);
    // What the cash no longer covers is scaled down to what it does, rather than skipped.
    const fee = toNumber(ctx.instrument(d.symbol).takerFee);
    const cash = toNumber(ctx.portfolio.cash(ctx.instrument(d.symbol).settle));
    const affordable = floorToStep(
      fromNumber(Math.min(d.qty, (cash * 0.999) / (d.price * (1 + fee)))),
      ctx.instrument(d.symbol).lotSize,
    );
    const wanted = buyShortfall(ctx, d.symbol, qty, px);
    const q = wanted === undefined ? qty : affordable;
    if (wanted !== undefined && !canAffordBuy(ctx, d.symbol, q, px)) {
      // Said of the buy the target wants: a cash shortfall stays one even when what the cash
      // covers, scaled down, falls under the minimum order.
      skipsOf(ctx).skipped(ctx, d.symbol, qty, wanted, () => {
        const quote = ctx.instrument(d.symbol).quote;
        return `for ${formatFixed(mul(qty, px))} ${quote} (${formatFixed(qty)} at ${formatFixed(px)}, toward its target weight)`;
      });
      continue;
    }
    const order = ctx.buy(d.symbol, q);
    // One buy at a time: the risk engine values other open market buys at the price of the
    // symbol being checked, so several market buys of different symbols at once can be
    // denied for funds they do not use.
    if (!order.isTerminal || order.filledQty > 0n) return 'pending';
  }
  return 'done';
}

/** `qty` floored to the lot, and at most what a sell can take out of the position (see sellableWithFee). */
function floorQty(ctx: StrategyContext, symbol: string, qty: number): ReturnType<typeof fromNumber> {
  const inst = ctx.instrument(symbol);
  const most = sellableWithFee(inst, ctx.position(symbol).qty);
  const q = floorToStep(fromNumber(qty), inst.lotSize);
  return q > most ? most : q;
}
