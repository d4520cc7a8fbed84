import type { Exchange, Order as CcxtOrder, Trade as CcxtTrade } from 'ccxt';
import type { Logger } from 'pino';
import type { Fixed } from '../core/Fixed.js';
import { ZERO, add, formatFixed, mul } from '../core/Fixed.js';
import { exact, fillOf, snapshotOf } from '../exchanges/ccxt/executionMappers.js';
import { fetchOrderFills } from '../exchanges/ccxt/fetchOrderFills.js';
import type { ExchangeAccountView } from '../exchanges/ccxt/fetchAccountView.js';
import type { RequestGate } from '../exchanges/ccxt/RequestGate.js';
import type { AccountDifference } from '../execution/reconcileAccount.js';
import type { OrderFilled } from '../model/events.js';
import type { AuditSink } from '../monitor/AuditSink.js';
import type { TradingNode } from '../node/TradingNode.js';

/** What the orphans of a pass are settled with (a part of LiveReconcilerOptions). */
export interface OrphanOrdersOptions {
  readonly exchange: Exchange;
  readonly gate: RequestGate;
  readonly node: TradingNode;
  readonly audit: AuditSink;
  readonly log: Logger;
  readonly now: () => number;
  readonly saveLedger: () => void;
}

/** What a pass did with its orphans. */
export interface OrphansSettled {
  /** Orphans that have ended at the exchange (canceled now, or filled/ended before the cancel). */
  readonly ended: number;
  /** Orphans still open (the cancel failed and the exchange still lists them): fills unknown. */
  readonly open: number;
  /** Trades of ended orphans booked in this pass. */
  readonly booked: number;
}

/** The strategy an orphan's trades are booked under: none of ours placed it in this journal. */
export const ORPHAN_STRATEGY_ID = '__reconciliation__';

/**
 * Orders of ours (our client-id generator made the id) the journal does not know — a lost or
 * restored database — found open at the exchange by a reconciliation pass. Each is canceled by
 * the exchange's own id; once it has ended, the trades it made are read from the exchange
 * (Binance spot: GET /api/v3/myTrades?orderId=, USDT-M: /fapi/v1/userTrades?orderId=) and booked
 * as the trades they were: at their prices, with their fees in the fee currency, so the position's
 * entry price, its PnL and the fees paid are the exchange's. Booking them as a position
 * correction at the last price instead (what the pass does for a difference nothing explains)
 * would move the entry price and hide the fee.
 *
 * Exactly once: an orphan's trades are booked only in the pass that finds it ended (an ended
 * order is never open again, so no later pass, nor a restart, reads them again), the booking and
 * the ledger snapshot are written together (synchronously, saveLedger), and a trade id booked
 * in this run is skipped if an exchange lists the order once more. An orphan still open (its
 * cancel failed) is not booked: the next pass cancels it again. Trades that cannot be read
 * (an exchange error) leave the position and cash to the pass's correction, audited as such.
 */
export class OrphanOrders {
  /** `${symbol} ${tradeId}` of every orphan trade booked by this run. */
  private readonly booked = new Set<string>();

  constructor(private readonly opts: OrphanOrdersOptions) {}

  /** Ends each `order-only-exchange` difference of `ex` and books the trades of those ended. */
  async settle(orphans: readonly AccountDifference[], ex: ExchangeAccountView): Promise<OrphansSettled> {
    let ended = 0;
    let open = 0;
    let booked = 0;
    for (const d of orphans) {
      const listed = ex.openOrders.get(d.key);
      if (listed === undefined) continue; // never: the difference came from ex.openOrders
      if (!(await this.end(d.key, listed.venueOrderId, listed.symbol))) {
        open += 1;
        continue;
      }
      ended += 1;
      booked += await this.bookTrades(d.key, listed.venueOrderId, listed.symbol);
    }
    return { ended, open, booked };
  }

  /**
   * Cancels the orphan; true when it has ended at the exchange. A refused cancel may mean it
   * ended meanwhile (Binance -2011 for an order that just filled): the order is looked up.
   */
  private async end(clientOrderId: string, venueOrderId: string, symbol: string): Promise<boolean> {
    const { exchange, gate, log } = this.opts;
    try {
      // By the exchange's own id, which every exchange takes: by our client id, Gate's ccxt
      // sends no order id at all and Deribit cancels by nothing else.
      await gate.run(() => exchange.cancelOrder(venueOrderId, symbol));
      return true;
    } catch (e) {
      log.error({ err: e, clientOrderId }, 'reconciliation: cancel failed');
    }
    const order: CcxtOrder | undefined = await gate
      .run(() => exchange.fetchOrder(venueOrderId, symbol))
      .catch(() => undefined);
    return order !== undefined && snapshotOf(order).state !== 'open';
  }

  /** Books the orphan's trades not booked yet; returns how many were booked. */
  private async bookTrades(clientOrderId: string, venueOrderId: string, symbol: string): Promise<number> {
    const { exchange, gate, node, audit, log, now } = this.opts;
    const about = { clientOrderId, symbol, venueOrderId };
    let trades: CcxtTrade[];
    try {
      trades = await gate.run(() => fetchOrderFills(exchange, venueOrderId, symbol));
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      // Its fills stay in the position and cash differences, settled by the pass's correction.
      audit.record('reconciliation.orphan-trades', { ...about, trades: 0, unread: error }, 'system');
      log.error(
        { err: e, ...about },
        `reconciliation: trades of orphan ${clientOrderId} unreadable; its fills are booked as a position and cash correction at the last price, without their fees`,
      );
      return 0;
    }
    let qty: Fixed = ZERO;
    let notional: Fixed = ZERO;
    const fees: Record<string, string> = {};
    let count = 0;
    for (const t of [...trades].sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0))) {
      const key = `${symbol} ${String(t.id)}`;
      if (this.booked.has(key)) continue;
      const fill = orphanFill(clientOrderId, symbol, t, now(), node.portfolio.currency);
      node.portfolio.applyFill(fill);
      this.booked.add(key);
      count += 1;
      qty = add(qty, fill.lastQty);
      notional = add(notional, mul(fill.lastQty, fill.lastPx));
      fees[fill.feeCurrency] = formatFixed(add(exact(fees[fill.feeCurrency]), fill.fee));
    }
    if (count === 0) return 0;
    // Before the next await: a stop after it finds this orphan ended and its trades in the books.
    this.opts.saveLedger();
    const data = { ...about, trades: count, qty: formatFixed(qty), notional: formatFixed(notional), fees };
    audit.record('reconciliation.orphan-trades', data, 'system');
    log.warn(data, `reconciliation: ${count} trade(s) of orphan ${clientOrderId} booked`);
    return count;
  }
}

/** An orphan's trade as the fill the ledger books (no order of the OMS behind it). */
function orphanFill(
  clientOrderId: string,
  symbol: string,
  t: CcxtTrade,
  now: number,
  currency: string,
): OrderFilled {
  const side = t.side === 'sell' ? 'SELL' : 'BUY';
  const fill = fillOf({ id: clientOrderId, strategyId: ORPHAN_STRATEGY_ID, symbol, side }, t, now);
  // A fee the exchange gave no currency for is not booked: zero, in the account currency.
  const feeKnown = t.fee?.currency !== undefined;
  return {
    ...fill,
    eventId: `orphan-${symbol}-${String(t.id)}`,
    fee: feeKnown ? fill.fee : ZERO,
    feeCurrency: feeKnown ? fill.feeCurrency : currency,
  };
}
