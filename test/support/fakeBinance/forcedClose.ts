/**
 * The fake's liquidations and auto-deleveragings, as Binance USDⓈ-M runs them: the symbol's
 * open orders expire (expire reason 5, "the account was liquidated"), then an order of the
 * exchange's own — client order id "autoclose-<time><seq>" (liquidation) or "adl_autoclose"
 * (auto-deleveraging), LIMIT IOC on the opposite side — closes the position in one or more
 * trades. Its ORDER_TRADE_UPDATE events say order type LIQUIDATION and execution CALCULATED;
 * REST lists it in allOrders and GET /fapi/v1/forceOrders, and its trades in userTrades with no
 * order of the client's behind them. A liquidation pays the clearance fee (FuturesLedger).
 * The fake never decides to liquidate: a test calls FakeBinance.liquidate.
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/user-data-streams/Event-Order-Update
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/trade/rest-api/Users-Force-Orders
 */
import { fmtUnits, parseUnits } from './decimal.js';
import type { FakeAccount } from './FakeAccount.js';
import type { MarketReplay } from './MarketReplay.js';
import { lastPrice } from './OrderMatcher.js';
import type { PlannedFill } from './OrderMatcher.js';
import type { FakeOrder } from './orders.js';

/** How a test has the exchange close a position. */
export interface ForcedCloseOptions {
  /** Auto-deleveraging instead of a liquidation. */
  readonly adl?: boolean;
  /**
   * The closing trades: price (decimal) and quantity (default: what is left of the position).
   * Default: one trade of the whole position at the mark (the last replayed trade).
   */
  readonly trades?: readonly { readonly price: string; readonly qty?: string }[];
  /**
   * A liquidation whose clearance fee is booked apart from its trades: they pay the taker fee,
   * and the clearance fee (1.25 % of the closed notional) leaves the wallet as an income row
   * of type INSURANCE_CLEAR (GET /fapi/v1/income). Default: the trades carry it.
   */
  readonly clearanceAsIncome?: boolean;
}

let autocloseSeq = 0;

/** Whether a client order id is one of the exchange's own closing orders. */
export function isForcedClose(clientOrderId: string): boolean {
  return clientOrderId.startsWith('autoclose-') || clientOrderId === 'adl_autoclose';
}

/** Closes the position of `market` (a perpetual of `account`) as the exchange would. */
export function forceClose(
  account: FakeAccount,
  market: MarketReplay,
  opts: ForcedCloseOptions = {},
): FakeOrder {
  const p = account.futuresLedger.position(market.id);
  if (p.amt === 0n) throw new Error(`FakeBinance: no position on ${market.id} to liquidate`);
  const size = p.amt < 0n ? -p.amt : p.amt;
  const now = market.now();
  account.futures.expireOpen(market.id, now);
  const units = (s: string): bigint => {
    const u = parseUnits(s);
    if (u === undefined) throw new Error(`FakeBinance: not a decimal: ${s}`);
    return u;
  };
  const wanted = opts.trades ?? [{ price: fmtUnits(lastPrice(market) ?? 0n) }];
  const fills: PlannedFill[] = [];
  let left = size;
  for (const t of wanted) {
    // A trade without a quantity takes what is left of the position.
    const qty = t.qty === undefined ? left : units(t.qty);
    if (qty <= 0n || qty > left) throw new Error(`FakeBinance: closing trade of ${qty} units, ${left} left`);
    fills.push({ price: units(t.price), qty });
    left -= qty;
  }
  const closed = size - left;
  const worst = fills.reduce(
    (w, f) => (p.amt > 0n ? (f.price < w ? f.price : w) : f.price > w ? f.price : w),
    fills[0]?.price ?? 0n,
  );
  const clientOrderId =
    opts.adl === true ? 'adl_autoclose' : `autoclose-${now}${String(++autocloseSeq).padStart(6, '0')}`;
  if (opts.clearanceAsIncome === true && opts.adl !== true)
    account.futuresLedger.clearanceApart.add(clientOrderId);
  return account.futures.forceFill(
    {
      symbol: market.id,
      clientOrderId,
      side: p.amt > 0n ? 'SELL' : 'BUY',
      type: 'LIMIT',
      timeInForce: 'IOC',
      price: worst,
      stopPrice: 0n,
      qty: closed,
      quoteOrderQty: 0n,
      reduceOnly: false,
    },
    fills,
    market,
  );
}
