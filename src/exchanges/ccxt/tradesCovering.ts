import type { Order as CcxtOrder, Trade as CcxtTrade } from 'ccxt';
import type { Fixed } from '../../core/Fixed.js';
import { ZERO, add } from '../../core/Fixed.js';
import { exact } from './executionMappers.js';

/**
 * The trades an exchange view of an order carries, when they can be booked as its fills: each
 * has a trade id (the OMS books a trade id once) and together they reach `filled`. Undefined
 * otherwise: the order's trades must be fetched.
 */
export function tradesCovering(o: CcxtOrder, filled: Fixed): CcxtTrade[] | undefined {
  const trades = (o.trades ?? []).filter((tr) => tr.id !== undefined);
  return trades.length === 0 || sumQty(trades) < filled ? undefined : trades;
}

function sumQty(trades: readonly CcxtTrade[]): Fixed {
  let s = ZERO;
  for (const tr of trades) s = add(s, exact(tr.amount));
  return s;
}
