import type { Exchange } from 'ccxt';
import type { Logger } from 'pino';
import type { ComponentHealth } from '../api/EngineStatus.js';
import { pollerHealth } from './pollerHealth.js';
import type { Fixed } from '../core/Fixed.js';
import { ZERO, formatFixed, toFixed } from '../core/Fixed.js';
import type { Millis } from '../core/time.js';
import type { ExchangeFundingPayment, SettledFundingRate } from '../exchanges/ccxt/fetchFundingPayments.js';
import { fetchFundingPayments, fetchSettledFundingRates } from '../exchanges/ccxt/fetchFundingPayments.js';
import type { RequestGate } from '../exchanges/ccxt/RequestGate.js';
import type { FundingSettled } from '../model/futuresEvents.js';
import type { AuditSink } from '../monitor/AuditSink.js';
import type { TradingNode } from '../node/TradingNode.js';
import type { FundingStore } from '../storage/sqlite/FundingStore.js';

/** What the funding poller works with. */
export interface LiveFundingOptions {
  readonly exchange: Exchange;
  readonly gate: RequestGate;
  readonly node: TradingNode;
  /** The perpetuals traded (unified symbols). */
  readonly symbols: readonly string[];
  readonly store: FundingStore;
  /** Written beside each payment recorded (which engine session saw it). */
  readonly runId: string;
  readonly audit: AuditSink;
  readonly log: Logger;
  readonly now: () => number;
  /** Persists the ledger after a payment moved it. */
  readonly saveLedger: () => void;
}

/**
 * How far back the first look at a symbol reads: Binance lists 7 days of income by default,
 * and every payment in that window is already in the wallet the first reconciliation takes over.
 */
const FIRST_LOOK_MS = 8 * 86_400_000;

/**
 * Books the exchange's funding payments of live perpetuals as funding, not as a cash
 * difference: each payment of the income history not seen before becomes a `FundingSettled`
 * event through the node (the portfolio's funding line, the margin of an isolated position,
 * then every strategy's onFunding), in time order, exactly once — its id is recorded in SQLite
 * before it is booked, so a restart never books it again, and a payment settled while the
 * engine was down is booked at the next start.
 *
 * The first look at a symbol (a new database) books nothing: payments made before are already
 * in the wallet, which the first reconciliation takes over; they are recorded as taken over,
 * and the symbol's cursor starts at the exchange's time.
 */
export class LiveFunding {
  /** Payments booked since start. */
  booked = 0;
  private lastPoll: Millis | undefined;
  private lastError: string | undefined;

  constructor(private readonly opts: LiveFundingOptions) {}

  /**
   * One look at every symbol's income history; books what is new, oldest first across
   * symbols. Returns how many payments were booked. An exchange error propagates: books
   * must not be compared with the wallet while a payment may be missing from them.
   */
  async poll(): Promise<number> {
    const o = this.opts;
    try {
      const fresh: { payment: ExchangeFundingPayment; rate?: SettledFundingRate }[] = [];
      for (const symbol of o.symbols) {
        const since = o.store.cursor(symbol);
        if (since === undefined) {
          await this.firstLook(symbol);
          continue;
        }
        const payments = (await fetchFundingPayments(o.exchange, o.gate, symbol, since)).filter(
          (p) => !o.store.knows(p.id),
        );
        const first = payments[0];
        if (first === undefined) continue;
        const rates = await fetchSettledFundingRates(o.exchange, o.gate, symbol, first.ts);
        for (const payment of payments) {
          const rate = rates.get(payment.ts);
          fresh.push(rate === undefined ? { payment } : { payment, rate });
        }
      }
      fresh.sort((a, b) => a.payment.ts - b.payment.ts);
      let n = 0;
      for (const f of fresh) if (this.book(f.payment, f.rate)) n++;
      this.lastPoll = o.now();
      this.lastError = undefined;
      return n;
    } catch (e) {
      this.lastError = e instanceof Error ? e.message : String(e);
      throw e;
    }
  }

  /** The poller as a health component. */
  component(): ComponentHealth {
    return pollerHealth('funding', `${this.booked} funding payment(s)`, this.lastPoll, this.lastError);
  }

  private async firstLook(symbol: string): Promise<void> {
    const o = this.opts;
    const serverTime = await o.gate.run(() => o.exchange.fetchTime());
    const start = serverTime ?? o.now();
    const earlier = await fetchFundingPayments(o.exchange, o.gate, symbol, start - FIRST_LOOK_MS);
    for (const p of earlier) o.store.record(o.runId, { ...p, symbol, booked: false }, o.now());
    o.store.advance(symbol, Math.max(start, ...earlier.map((p) => p.ts)));
    o.log.info(
      { symbol, since: start, takenOver: earlier.length },
      'funding: first look at the income history; earlier payments are in the wallet already',
    );
  }

  /** Records, then books one payment; false when it was recorded already. */
  private book(p: ExchangeFundingPayment, rate: SettledFundingRate | undefined): boolean {
    const o = this.opts;
    const symbol = o.symbols.find((s) => s === p.symbol) ?? p.symbol;
    // Recorded first: a crash after this line leaves the payment out of the ledger snapshot
    // (the next reconciliation settles the wallet, audit-logged), never booked twice.
    if (
      !o.store.record(o.runId, { ...p, symbol, booked: true, ...(rate ? { rate: rate.rate } : {}) }, o.now())
    )
      return false;
    const mark = rate?.markPrice ?? markOf(o.node, symbol);
    const event: FundingSettled = {
      type: 'FundingSettled',
      symbol,
      ts: p.ts,
      rate: rate?.rate ?? ZERO,
      markPrice: mark,
      positionQty: o.node.portfolio.positionQty(symbol),
      amount: p.amount,
      currency: p.currency,
    };
    o.node.onClearing(event);
    o.saveLedger();
    this.booked += 1;
    o.audit.record(
      'funding.settled',
      {
        symbol,
        paymentId: p.id,
        ts: p.ts,
        amount: formatFixed(p.amount),
        currency: p.currency,
        rate: rate === undefined ? null : formatFixed(rate.rate),
        markPrice: formatFixed(mark),
      },
      'system',
    );
    o.log.info(
      { symbol, paymentId: p.id, ts: p.ts, amount: formatFixed(p.amount), currency: p.currency },
      `funding ${p.amount < 0n ? 'paid' : 'received'} on ${symbol}`,
    );
    return true;
  }
}

function markOf(node: TradingNode, symbol: string): Fixed {
  const m = node.markPrice(symbol);
  return m === undefined || !Number.isFinite(m) ? ZERO : toFixed(m);
}
