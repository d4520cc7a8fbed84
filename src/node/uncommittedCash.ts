import type { Fixed } from '../core/Fixed.js';
import { ZERO, fromNumber, max, sub } from '../core/Fixed.js';
import { buyFeeRateOnCash } from '../model/Instrument.js';
import { remainingCommitment } from '../risk/preTradeRules.js';
import type { ContextHost } from './ContextHost.js';

/**
 * Cash of `currency` not yet spoken for by the account's open spot buys (every strategy's, as
 * the cash is the account's): what is left of each, at its limit or trigger price (a market buy
 * at its symbol's last price) plus the fee paid on top — costed as the risk engine's funds
 * check costs them, so a strategy sizing on it is not denied for funds its own resting orders
 * hold. Bracket and OCO exits only sell what their entry bought and hold nothing; perpetual
 * orders hold margin, not their notional, and are not counted. Never below zero. A read made
 * only when a strategy asks (it walks the open orders).
 */
export function uncommittedCash(host: ContextHost, currency: string): Fixed {
  let cash = host.portfolio.cash(currency);
  for (const o of host.oms.openOrders()) {
    if (o.side !== 'BUY' || o.request.parentId !== undefined || o.request.ocoGroup !== undefined) continue;
    const inst = host.instrument(o.symbol);
    if (inst.kind !== 'SPOT' || inst.settle !== currency) continue;
    const last = host.lastPrice(o.symbol);
    const fallback = last !== undefined && last > 0 ? fromNumber(last) : undefined;
    if (o.request.price === undefined && o.request.triggerPrice === undefined && fallback === undefined)
      continue;
    cash = sub(cash, remainingCommitment(o.request, o.leavesQty, fallback, buyFeeRateOnCash(inst)));
  }
  return max(cash, ZERO);
}
