import type { Fixed, Numeric } from '../core/Fixed.js';
import { roundToStep, toFixed } from '../core/Fixed.js';
import type { Instrument } from '../model/Instrument.js';
import type { OrderRequest } from '../model/OrderRequest.js';
import { OrderType } from '../model/enums.js';
import type { OrderSide } from '../model/enums.js';
import type { OrderOptions } from '../strategy/StrategyContext.js';

/** An order price as given, or rounded to the tick (the convenience verbs round). */
function toPrice(v: Numeric | undefined, round: boolean, tick: Fixed): Fixed | undefined {
  if (v === undefined) return undefined;
  const f = toFixed(v);
  return round ? roundToStep(f, tick) : f;
}

/**
 * The request a strategy's order options describe, with the defaults a trader expects: a
 * price makes it a limit order, GTC, neither post-only nor reduce-only. Prices are rounded
 * to the instrument's tick only for the convenience verbs (`roundPrices`); a hand-built order
 * keeps its prices as given so the risk engine's precision check still guards it. Throws
 * ERR_INVALID_DECIMAL on an amount that is not a number.
 */
export function toOrderRequest(
  inst: Instrument,
  symbol: string,
  side: OrderSide,
  o: OrderOptions,
  quantity: Fixed,
  roundPrices: boolean,
): OrderRequest {
  const price = toPrice(o.price, roundPrices, inst.tickSize);
  const triggerPrice = toPrice(o.triggerPrice, roundPrices, inst.tickSize);
  return {
    symbol,
    side,
    type: o.type ?? (o.price === undefined ? OrderType.MARKET : OrderType.LIMIT),
    quantity,
    price,
    triggerPrice,
    trailingPct: o.trailingPct === undefined ? undefined : toFixed(o.trailingPct),
    timeInForce: o.timeInForce ?? 'GTC',
    postOnly: o.postOnly ?? false,
    reduceOnly: o.reduceOnly ?? false,
    ocoGroup: o.ocoGroup,
    parentId: o.parentId,
    tag: o.tag,
  };
}
