import type { Exchange } from 'ccxt';
import type { Fixed } from '../../core/Fixed.js';
import type { Millis } from '../../core/time.js';
import { exact } from './executionMappers.js';
import type { RequestGate } from './RequestGate.js';
import { compareIds, textOf } from './rawFields.js';

/** One funding payment of the account, as the exchange booked it into the wallet. */
export interface ExchangeFundingPayment {
  /** The exchange's id of the payment (Binance: the income row's tranId). */
  readonly id: string;
  readonly symbol: string;
  /** Funding time. */
  readonly ts: Millis;
  /** Negative = paid, exact as the exchange wrote it. */
  readonly amount: Fixed;
  readonly currency: string;
}

/** The rate a funding time settled at, and the mark price positions were valued at. */
export interface SettledFundingRate {
  readonly ts: Millis;
  readonly rate: Fixed;
  readonly markPrice: Fixed;
}

/** Income pages are at most this long at Binance. */
const PAGE = 1000;
/** A catch-up never reads more pages than this in one call; the rest waits for the next. */
const MAX_PAGES = 20;

/** An income row of the account (Binance GET /fapi/v1/income), exact as the exchange wrote it. */
export type ExchangeIncome = ExchangeFundingPayment;

/**
 * The funding payments of `symbol` from `since` (inclusive), oldest first, through the gate.
 * Amounts come from the exchange's own text (ccxt's `amount` is a float): a ledger that must
 * equal the wallet to the unit cannot take a rounded double.
 * Binance USDT-M: GET /fapi/v1/income?incomeType=FUNDING_FEE —
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/account/rest-api/Get-Income-History
 */
export function fetchFundingPayments(
  exchange: Exchange,
  gate: RequestGate,
  symbol: string,
  since: Millis,
): Promise<ExchangeFundingPayment[]> {
  return fetchIncome(exchange, gate, symbol, since, 'FUNDING_FEE');
}

/**
 * The liquidation clearance fees of `symbol` from `since` (inclusive), oldest first: what the
 * exchange charged a liquidated position apart from its closing trades (negative = paid).
 * Binance USDT-M: GET /fapi/v1/income?incomeType=INSURANCE_CLEAR (same page rules as funding).
 */
export function fetchClearanceFees(
  exchange: Exchange,
  gate: RequestGate,
  symbol: string,
  since: Millis,
): Promise<ExchangeIncome[]> {
  return fetchIncome(exchange, gate, symbol, since, 'INSURANCE_CLEAR');
}

/**
 * Income rows of one type, read through ccxt's fetchFundingHistory (Binance: GET
 * /fapi/v1/income), whose FUNDING_FEE filter the `incomeType` parameter replaces.
 */
async function fetchIncome(
  exchange: Exchange,
  gate: RequestGate,
  symbol: string,
  since: Millis,
  incomeType: 'FUNDING_FEE' | 'INSURANCE_CLEAR',
): Promise<ExchangeIncome[]> {
  const params = incomeType === 'FUNDING_FEE' ? {} : { incomeType };
  const byId = new Map<string, ExchangeIncome>();
  let from = since;
  for (let page = 0; page < MAX_PAGES; page++) {
    const rows = await gate.run(() => exchange.fetchFundingHistory(symbol, from, PAGE, params));
    let newest = from;
    for (const r of rows) {
      const info = (r.info ?? {}) as Record<string, unknown>;
      const id = r.id ?? textOf(info['tranId']);
      const ts = r.timestamp ?? Number(info['time']);
      if (id === undefined || !Number.isFinite(ts)) continue;
      const income = textOf(info['income']);
      byId.set(id, {
        id,
        symbol: r.symbol ?? symbol,
        ts,
        amount: exact(income ?? r.amount),
        currency: r.code ?? textOf(info['asset']) ?? '',
      });
      newest = Math.max(newest, ts);
    }
    // A full page may continue at its newest time (payments of that millisecond are read twice
    // and kept once by id); a page that did not advance the time cannot be continued.
    if (rows.length < PAGE || newest === from) break;
    from = newest;
  }
  return [...byId.values()].sort((a, b) => a.ts - b.ts || compareIds(a.id, b.id));
}

/**
 * The settled funding rates of `symbol` from `since` (undefined: the latest page), by funding
 * time; empty when the exchange does not publish them (the payment is booked all the same,
 * with rate and mark unknown). A mark the exchange does not publish is ZERO.
 * Binance USDT-M: GET /fapi/v1/fundingRate —
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Get-Funding-Rate-History
 */
export async function fetchSettledFundingRates(
  exchange: Exchange,
  /** Live: the trading request gate; shadow (no gate): any `run` that makes the call. */
  gate: Pick<RequestGate, 'run'>,
  symbol: string,
  since: Millis | undefined,
): Promise<Map<Millis, SettledFundingRate>> {
  const out = new Map<Millis, SettledFundingRate>();
  if (exchange.has['fetchFundingRateHistory'] !== true) return out;
  const rows = await gate.run(() => exchange.fetchFundingRateHistory(symbol, since, PAGE));
  for (const r of rows) {
    const info = (r.info ?? {}) as Record<string, unknown>;
    const ts = r.timestamp ?? Number(info['fundingTime']);
    if (!Number.isFinite(ts)) continue;
    out.set(ts, {
      ts,
      rate: exact(textOf(info['fundingRate']) ?? r.fundingRate),
      markPrice: exact(textOf(info['markPrice'])),
    });
  }
  return out;
}
