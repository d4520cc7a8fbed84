import type { Fixed } from '../core/Fixed.js';
import { ZERO, formatFixed } from '../core/Fixed.js';

/** One side's view of the account, in exact amounts. */
export interface AccountView {
  /** Open orders by exchange client order id. */
  readonly openOrders: ReadonlyMap<string, { readonly symbol: string }>;
  /** Total balance per currency (free + locked). */
  readonly balances: ReadonlyMap<string, Fixed>;
  /** Signed position per symbol (spot: the base held, as the exchange's base balance). */
  readonly positions: ReadonlyMap<string, Fixed>;
}

/** A difference between SQLite/memory and the exchange, and how it is settled (exchange wins). */
export interface AccountDifference {
  readonly kind: 'order-only-local' | 'order-only-exchange' | 'balance' | 'position';
  readonly key: string;
  readonly local: string;
  readonly exchange: string;
}

/**
 * Every difference between our view and the exchange's. Orders the exchange holds that do
 * not carry `ourPrefix` belong to someone else on the account (a human, another bot) and
 * are not ours to judge; currencies and symbols we do not trade are left out the same way.
 */
export function reconcileAccount(
  local: AccountView,
  exchange: AccountView,
  scope: {
    readonly ourPrefix: string;
    readonly currencies: readonly string[];
    readonly symbols: readonly string[];
  },
): AccountDifference[] {
  const out: AccountDifference[] = [];
  for (const [id, o] of local.openOrders)
    if (!exchange.openOrders.has(id))
      out.push({ kind: 'order-only-local', key: id, local: o.symbol, exchange: '' });
  for (const [id, o] of exchange.openOrders)
    if (id.startsWith(scope.ourPrefix) && !local.openOrders.has(id))
      out.push({ kind: 'order-only-exchange', key: id, local: '', exchange: o.symbol });
  for (const c of scope.currencies) {
    const l = local.balances.get(c) ?? ZERO;
    const e = exchange.balances.get(c) ?? ZERO;
    if (l !== e) out.push({ kind: 'balance', key: c, local: formatFixed(l), exchange: formatFixed(e) });
  }
  for (const s of scope.symbols) {
    const l = local.positions.get(s) ?? ZERO;
    const e = exchange.positions.get(s) ?? ZERO;
    if (l !== e) out.push({ kind: 'position', key: s, local: formatFixed(l), exchange: formatFixed(e) });
  }
  return out;
}
