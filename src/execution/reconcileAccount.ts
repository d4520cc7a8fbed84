import type { Fixed } from '../core/Fixed.js';
import { ZERO, abs, formatFixed, parseFixed, sub } from '../core/Fixed.js';
import type { MarginModeName } from '../model/MarginMode.js';

/** One side's view of the account, in exact amounts. */
export interface AccountView {
  /** Open orders by exchange client order id. */
  readonly openOrders: ReadonlyMap<string, { readonly symbol: string }>;
  /** Total balance per currency (free + locked). */
  readonly balances: ReadonlyMap<string, Fixed>;
  /** Signed position per symbol (spot: the base held, as the exchange's base balance). */
  readonly positions: ReadonlyMap<string, Fixed>;
  /**
   * Margin behind each open isolated perpetual position, wallet-like (no unrealized PnL).
   * Compared only for symbols both sides list: cross positions and spot are in neither.
   */
  readonly isolatedMargins?: ReadonlyMap<string, Fixed>;
  /**
   * Margin mode per perpetual. Ours: the mode configured for each traded perpetual (what the
   * start set on the exchange); the exchange's: the mode of each open position (ccxt
   * Position.marginMode). Compared for symbols with an open position on either side.
   */
  readonly marginModes?: ReadonlyMap<string, MarginModeName>;
}

/**
 * How far the isolated margins may differ before it is a difference: 1e-6 of the settle
 * currency. Binance reports the figure to 8 decimals and rounds each booking into it (every
 * fill's notional ÷ leverage, every pro-rata release, every funding payment) while our ledger
 * carries 16: each booking can part the two by up to 1e-8, so 100 unit steps leave room for a
 * position's life of bookings. A margin added or removed on the exchange (Binance UI, POST
 * /fapi/v1/positionMargin) is many orders of magnitude larger.
 */
export const ISOLATED_MARGIN_TOLERANCE: Fixed = parseFixed('0.000001');

/** A difference between SQLite/memory and the exchange, and how it is settled (exchange wins). */
export interface AccountDifference {
  readonly kind:
    'order-only-local' | 'order-only-exchange' | 'balance' | 'position' | 'isolated-margin' | 'margin-mode';
  readonly key: string;
  readonly local: string;
  readonly exchange: string;
}

/**
 * Every difference between our view and the exchange's. Orders the exchange holds whose
 * client id is not one of ours (`isOurs`: what our id generator makes) belong to someone else
 * on the account (a human, another bot) and are not ours to judge; currencies and symbols we
 * do not trade are left out the same way.
 */
export function reconcileAccount(
  local: AccountView,
  exchange: AccountView,
  scope: {
    readonly isOurs: (clientOrderId: string) => boolean;
    readonly currencies: readonly string[];
    readonly symbols: readonly string[];
  },
): AccountDifference[] {
  const out: AccountDifference[] = [];
  for (const [id, o] of local.openOrders)
    if (!exchange.openOrders.has(id))
      out.push({ kind: 'order-only-local', key: id, local: o.symbol, exchange: '' });
  for (const [id, o] of exchange.openOrders)
    if (!local.openOrders.has(id) && scope.isOurs(id))
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
  for (const s of scope.symbols) {
    const l = local.isolatedMargins?.get(s);
    const e = exchange.isolatedMargins?.get(s);
    if (l === undefined || e === undefined || isolatedMarginsAgree(l, e)) continue;
    out.push({ kind: 'isolated-margin', key: s, local: formatFixed(l), exchange: formatFixed(e) });
  }
  for (const s of scope.symbols) {
    const open = (local.positions.get(s) ?? ZERO) !== ZERO || (exchange.positions.get(s) ?? ZERO) !== ZERO;
    const l = local.marginModes?.get(s);
    const e = exchange.marginModes?.get(s);
    if (open && l !== undefined && e !== undefined && l !== e)
      out.push({ kind: 'margin-mode', key: s, local: l, exchange: e });
  }
  return out;
}

/** Whether two isolated margins agree within ISOLATED_MARGIN_TOLERANCE. */
export function isolatedMarginsAgree(a: Fixed, b: Fixed): boolean {
  return abs(sub(a, b)) <= ISOLATED_MARGIN_TOLERANCE;
}
