import type { Exchange } from 'ccxt';
import type { Logger } from 'pino';
import type { ComponentHealth } from '../api/EngineStatus.js';
import { pollerHealth } from './pollerHealth.js';
import type { Fixed } from '../core/Fixed.js';
import { ZERO, add, div, formatFixed, mul, neg, toFixed } from '../core/Fixed.js';
import type { Millis } from '../core/time.js';
import type { ForcedClose, ForcedCloseKind, ForcedCloseTrade } from '../exchanges/ccxt/fetchForcedCloses.js';
import { fetchForcedCloses } from '../exchanges/ccxt/fetchForcedCloses.js';
import type { ExchangeIncome } from '../exchanges/ccxt/fetchFundingPayments.js';
import { fetchClearanceFees } from '../exchanges/ccxt/fetchFundingPayments.js';
import type { RequestGate } from '../exchanges/ccxt/RequestGate.js';
import type { PositionLiquidated } from '../model/futuresEvents.js';
import type { TradingNode } from '../node/TradingNode.js';
import type { FundingStore } from '../storage/sqlite/FundingStore.js';
import type { LiquidationBooking } from './LiquidationBooking.js';

/** What the liquidation poller works with. */
export interface LiveLiquidationsOptions {
  readonly exchange: Exchange;
  readonly gate: RequestGate;
  /** Our own orders' fills are fetched first, so the position the liquidation closes is whole. */
  readonly syncOrders: () => Promise<void>;
  readonly node: TradingNode;
  /** The perpetuals traded (unified symbols). */
  readonly symbols: readonly string[];
  /** Where each symbol's next look starts (the funding cursors' table, under its own key). */
  readonly cursors: FundingStore;
  readonly booking: LiquidationBooking;
  readonly log: Logger;
  readonly now: () => number;
}

/**
 * How far back the first look at a symbol reads (Binance lists 7 days of force orders by
 * default): every forced close in that window is already in the wallet and position the first
 * reconciliation takes over.
 */
const FIRST_LOOK_MS = 8 * 86_400_000;

/**
 * Books the exchange's liquidations (and auto-deleveragings) of live perpetuals as what they
 * are: the exchange's closing order's trades become fill lines of order `LIQUIDATION` with
 * their price, quantity and fee, realized PnL in the ledger, the trip's end in the loss streak
 * of the strategy whose fill last moved the position, `onLiquidation`, the audit record
 * `position.liquidated`, the metric and the notification (once per forced close, however many
 * trades the exchange filled it in) — the way shadow mode books its own
 * (LiquidationBooking). A clearance fee the exchange charges apart from the trades (Binance:
 * income INSURANCE_CLEAR) is booked as a fee of its liquidation (see clearanceFees). Exactly
 * once: a line's trade id is the exchange's (`LIQ-<symbol>-<id>`) and the fills store refuses
 * it twice, across restarts too, whichever look (the private stream's nudge, a reconciliation
 * pass, the next start) finds it first.
 *
 * Looks run one at a time: before every reconciliation pass (so the comparison finds nothing
 * left to correct) and at once when the private stream shows an exchange's closing order. The
 * first look at a symbol (a new database) books nothing: earlier forced closes are in the wallet
 * the first reconciliation takes over.
 */
export class LiveLiquidations {
  /** Forced closes booked since start (more trades of one booked before are no new one). */
  booked = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private lastPoll: Millis | undefined;
  private lastError: string | undefined;

  constructor(private readonly opts: LiveLiquidationsOptions) {}

  /**
   * One look at every symbol's forced closes, after any look under way; books what is new,
   * oldest first. Returns how many were booked. An exchange error propagates: the books must
   * not be compared with the exchange while a liquidation may be missing from them.
   */
  poll(): Promise<number> {
    const run = this.chain.then(() => this.pollOnce());
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** The private stream showed the exchange closing a position: look now. */
  nudge(symbol: string, kind: ForcedCloseKind): void {
    if (!this.opts.symbols.includes(symbol)) return;
    this.opts.log.warn({ symbol, kind }, `exchange ${kind} order on ${symbol}: booking its trades`);
    this.poll().catch((e: unknown) =>
      this.opts.log.warn({ err: e, symbol }, 'liquidation look failed; retried at the next reconciliation'),
    );
  }

  component(): ComponentHealth {
    return pollerHealth('liquidations', `${this.booked} liquidation(s)`, this.lastPoll, this.lastError);
  }

  private async pollOnce(): Promise<number> {
    const o = this.opts;
    try {
      let n = 0;
      for (const symbol of o.symbols) {
        const since = o.cursors.cursor(symbol);
        if (since === undefined) {
          await this.firstLook(symbol);
          continue;
        }
        const closes = await fetchForcedCloses(o.exchange, o.gate, symbol, since);
        const due = closes
          .map((c) => ({ c, fresh: c.trades.filter((t) => !o.booking.has(lineId(symbol, t.id))) }))
          .filter((d) => d.fresh.length > 0);
        const clearances = await this.clearanceFees(symbol, due);
        if (due.length > 0) await o.syncOrders();
        due.forEach(({ c, fresh }, i) => {
          // Trades of this order booked before (a look while the exchange was still filling
          // it): the same liquidation, already counted and told.
          this.book(c, fresh, fresh.length < c.trades.length, clearances[i] ?? []);
          n++;
        });
        // From the oldest close the exchange may still add trades to, else the newest: each
        // look reads that one again, its booked trades refused by the store.
        const open = closes.filter((c) => !c.final).map((c) => c.ts);
        const next = open.length > 0 ? Math.min(...open) : Math.max(since, ...closes.map((c) => c.ts));
        o.cursors.advance(symbol, next);
      }
      this.lastPoll = o.now();
      this.lastError = undefined;
      return n;
    } catch (e) {
      this.lastError = e instanceof Error ? e.message : String(e);
      throw e;
    }
  }

  private async firstLook(symbol: string): Promise<void> {
    const o = this.opts;
    const serverTime = await o.gate.run(() => o.exchange.fetchTime());
    const start = serverTime ?? o.now();
    const earlier = await fetchForcedCloses(o.exchange, o.gate, symbol, start - FIRST_LOOK_MS);
    // Past every close taken over, so none is read (and booked) again.
    o.cursors.advance(symbol, Math.max(start, ...earlier.map((c) => c.ts + 1)));
    o.log.info(
      { symbol, since: start, takenOver: earlier.length },
      'liquidations: first look at the force orders; earlier ones are in the wallet already',
    );
  }

  /**
   * The liquidation clearance fees the exchange charged apart from the closing trades (Binance:
   * income rows INSURANCE_CLEAR, read by the funding payments' reader), one list per forced
   * close in `due`: a row belongs to the liquidation whose first new trade is the latest at or
   * before it (a row before every one of them belongs to a close booked before, or to none).
   * Only liquidations pay it (an ADL does not); nothing is asked when none is due. A row the
   * exchange writes after the look that books its trades is not booked: the wallet then moves
   * without a trade, and reconciliation settles it as a balance difference.
   */
  private async clearanceFees(
    symbol: string,
    due: readonly { readonly c: ForcedClose; readonly fresh: readonly ForcedCloseTrade[] }[],
  ): Promise<ExchangeIncome[][]> {
    const o = this.opts;
    const out: ExchangeIncome[][] = due.map(() => []);
    const liquidations = due.flatMap((d, i) =>
      d.c.kind === 'liquidation' ? [{ i, start: Math.min(...d.fresh.map((t) => t.ts)) }] : [],
    );
    if (liquidations.length === 0) return out;
    const since = Math.min(...liquidations.map((l) => l.start));
    const rows = await fetchClearanceFees(o.exchange, o.gate, symbol, since);
    const latestFirst = [...liquidations].sort((a, b) => b.start - a.start);
    for (const r of rows) {
      const owner = latestFirst.find((l) => l.start <= r.ts);
      if (owner !== undefined) out[owner.i]?.push(r);
    }
    return out;
  }

  /**
   * One forced close's new trades as a liquidation of the position, booked like shadow mode's:
   * one booking, so one liquidation however many trades the exchange filled it in. The
   * clearance fees charged apart from the trades (`clearances`) are fees of this liquidation:
   * added to its last trade's fee, so the fill line, the ledger's cash, the fees of the PnL,
   * the event and the notification carry them, exactly once with that line.
   */
  private book(
    c: ForcedClose,
    booked: readonly ForcedCloseTrade[],
    continued: boolean,
    clearances: readonly ExchangeIncome[],
  ): void {
    const { node, booking, exchange } = this.opts;
    const currency = node.portfolio.currency;
    // The last trade carries the clearance fees in the account currency (its fee is in it too).
    const last = booked.length - 1;
    const charged =
      booked[last]?.feeCurrency === currency ? clearances.filter((r) => r.currency === currency) : [];
    let clearance = ZERO;
    for (const r of charged) clearance = add(clearance, neg(r.amount));
    const trades = booked.map((t, i) => (i === last ? { ...t, fee: add(t.fee, clearance) } : t));
    let qty = ZERO;
    let notional = ZERO;
    let fee = ZERO;
    let realized = ZERO;
    for (const t of trades) {
      qty = add(qty, t.qty);
      notional = add(notional, mul(t.qty, t.price));
      if (t.feeCurrency === currency) fee = add(fee, t.fee);
      realized = add(realized, t.realizedPnl);
    }
    const price: Fixed = trades.length === 1 ? (trades[0] as ForcedCloseTrade).price : div(notional, qty);
    const mark = node.markPrice(c.symbol);
    const e: PositionLiquidated = {
      type: 'PositionLiquidated',
      symbol: c.symbol,
      ts: Math.max(...trades.map((t) => t.ts)),
      marginMode: node.portfolio.margin.settings(c.symbol).mode,
      side: c.side,
      positionQty: node.portfolio.positionQty(c.symbol),
      price,
      markPrice: mark === undefined || !Number.isFinite(mark) ? price : toFixed(mark),
      realizedPnl: realized,
      fee,
      insuranceCovered: ZERO,
      currency,
      trades: trades.map((t) => ({
        id: t.id,
        ts: t.ts,
        qty: t.qty,
        price: t.price,
        fee: t.fee,
        feeCurrency: t.feeCurrency,
      })),
    };
    booking.book(
      e,
      (id) => lineId(c.symbol, id ?? c.orderId),
      {
        kind: c.kind,
        exchangeOrderId: c.orderId,
        clientOrderId: c.clientOrderId,
        exchange: exchange.id,
        ...(charged.length === 0
          ? {}
          : { clearanceFee: formatFixed(clearance), clearanceIds: charged.map((r) => r.id).join(',') }),
      },
      {
        cause: c.kind,
        venueOrderId: c.orderId,
        continued,
        ...(charged.length === 0 ? {} : { clearanceFee: { currency, amount: clearance } }),
      },
    );
    if (!continued) this.booked += 1;
  }
}

/** The fill line's trade id of the exchange's trade `id`: unique across symbols (Binance numbers trades per symbol). */
function lineId(symbol: string, id: string): string {
  return `LIQ-${symbol}-${id}`;
}
