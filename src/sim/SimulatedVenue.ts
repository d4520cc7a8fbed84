import { Rng } from '../core/Rng.js';
import type { Millis } from '../core/time.js';
import type { ExecutionClient, ExecutionReportSink, FundsView } from '../execution/ExecutionClient.js';
import type { Clock } from '../kernel/Clock.js';
import type { Bar, Trade } from '../model/Bar.js';
import type { Instrument } from '../model/Instrument.js';
import type { Order } from '../model/Order.js';
import type { AmendTerms } from '../model/OrderAmend.js';
import { AccountChecks } from './AccountChecks.js';
import type { MarginView } from './AccountChecks.js';
import { admitOrder } from './admitOrder.js';
import type { AdmissionDesk } from './admitOrder.js';
import { amendResting } from './amendResting.js';
import { ContingentOrders } from './ContingentOrders.js';
import { FillModel } from './FillModel.js';
import type { FillModelConfig } from './FillModel.js';
import { MatchingEngine } from './MatchingEngine.js';
import { PerpetualClearing } from './PerpetualClearing.js';
import type { PerpetualClearingOptions } from './PerpetualClearing.js';
import { RestartRecall } from './RestartRecall.js';
import type { TrailingMarks } from './RestartRecall.js';
import { RestingOrder } from './RestingOrder.js';
import { SimReason } from './SimReason.js';
import { VenueBooks } from './VenueBooks.js';
import { VenueReports } from './VenueReports.js';

// The venue's config travels with it: callers import the venue and its fill model together.
export { DEFAULT_FILL_MODEL } from './FillModel.js';
export type { FillModelConfig, SlippageModel } from './FillModel.js';
export type { TrailingMarks } from './RestartRecall.js';

/** What a SimulatedVenue needs: time, the instruments it lists, the account it may read, its fill model. */
export interface SimulatedVenueOptions {
  /** Venue name on reports and ids (default "SIM"). */
  venue?: string;
  clock: Clock;
  /** Instrument of a symbol; may throw for a symbol the venue does not list. */
  instrument: (symbol: string) => Instrument;
  funds: FundsView;
  config: FillModelConfig;
  /** Seed of the venue's Rng, the only source of randomness any fill model may use. */
  seed?: number;
  /** Perpetuals: the account's margin, checked on arrival and at each fill (unchecked when omitted). */
  margin?: MarginView;
  /** Perpetuals: mark prices, funding and liquidation (none when omitted). */
  clearing?: PerpetualClearingOptions;
  /**
   * Orders by id, open or closed, from before this venue existed (the order journal): a
   * bracket child adopted after a restart whose entry closed before it takes the entry's
   * fills from here. Without it such a child cannot be restored and is canceled.
   */
  lookup?: (orderId: string) => Order | undefined;
  /**
   * Ids of the journal's bracket children of an entry (with `lookup`): a child adopted after
   * a restart counts what its sibling legs that closed before it filled. Without it only the
   * adopted (open) legs count, and reduce-only alone bounds the rest.
   */
  childrenOf?: (parentId: string) => readonly string[];
  /** Where trailing stops' best prices are kept across a restart (shadow mode; none in a backtest). */
  trailingMarks?: TrailingMarks;
  /**
   * Closed orders remembered at least (default 1024). A backtest needs only a few: bracket
   * children arrive with their parent, and a resubmit cannot happen.
   */
  memory?: number;
}

/**
 * How many closed orders and fired OCO groups the venue remembers at least by default (for
 * late bracket children and resubmits).
 */
const MEMORY = 1024;

/**
 * The paper exchange of backtests AND shadow trading: the same class, so paper results and
 * backtests cannot drift apart. It accepts or rejects orders like an exchange (funds,
 * post-only, reduce-only), keeps a book of resting orders per symbol and matches them
 * against each bar along an assumed intrabar walk (see IntrabarPath), honoring triggers,
 * OCO groups, bracket children, time in force, partial fills by volume share, slippage,
 * fees and latency. Every outcome is reported through the sink, synchronously.
 *
 * Timing: acceptance, rejection and cancels carry clock.now(); a fill carries the time of
 * the price it used (bar.ts for a bar, whose open time is the earliest the touch could have
 * happened, or the order's arrival when it reached the venue inside the bar; clock.now() for a
 * fill at the current close on submit).
 *
 * The venue composes its parts: admission (admitOrder, amendResting), the books
 * (VenueBooks), matching (MatchingEngine, matchOrder, fillOrder), the orders tied to others
 * (ContingentOrders) and the reports (VenueReports).
 */
export class SimulatedVenue implements ExecutionClient {
  readonly venue: string;
  /** Seeded randomness for fill models that need it; the current models are deterministic. */
  readonly rng: Rng;
  private readonly clock: Clock;
  private readonly instrumentOf: (symbol: string) => Instrument;
  private readonly checks: AccountChecks;
  private readonly model: FillModel;
  private readonly reports: VenueReports;
  private readonly books: VenueBooks;
  private readonly contingent: ContingentOrders;
  private readonly matching: MatchingEngine;
  private readonly desk: AdmissionDesk;
  private orderSeq = 0;
  private readonly recall: RestartRecall;
  /** Perpetuals: the exchange's clearing (mark, funding, liquidation), when configured. */
  readonly clearing: PerpetualClearing | undefined;

  constructor(opts: SimulatedVenueOptions) {
    this.venue = opts.venue ?? 'SIM';
    this.reports = new VenueReports(this.venue);
    this.clock = opts.clock;
    this.instrumentOf = opts.instrument;
    this.model = new FillModel(opts.config);
    this.checks = new AccountChecks(opts.funds, this.model, opts.margin);
    this.clearing =
      opts.clearing === undefined
        ? undefined
        : new PerpetualClearing(opts.clearing, (symbol, ts) =>
            this.cancelSymbol(symbol, ts, SimReason.LIQUIDATION),
          );
    const clearing = this.clearing;
    if (clearing !== undefined)
      this.reports.onFill = (symbol, side, qty, ts) => clearing.noteFill(symbol, side, qty, ts);
    this.rng = new Rng(opts.seed ?? 0);
    this.books = new VenueBooks(opts.memory ?? MEMORY);
    this.recall = new RestartRecall(this.books, opts.instrument, opts);
    this.contingent = new ContingentOrders(this.books, this.reports, this.recall);
    this.matching = new MatchingEngine(this.clock, this.books, {
      model: this.model,
      checks: this.checks,
      contingent: this.contingent,
      reports: this.reports,
    });
    this.desk = {
      venue: this.venue,
      instrumentOf: opts.instrument,
      books: this.books,
      model: this.model,
      checks: this.checks,
    };
  }

  /** Forgets the orders that left the book and the OCO groups that fired (a finished backtest). */
  forgetClosed(): void {
    this.books.forgetClosed();
  }

  /** Attaches the report sink (the OMS, after construction). */
  setSink(sink: ExecutionReportSink): void {
    this.reports.setSink(sink);
  }

  /**
   * Accepts or rejects `order` (OrderAccepted / OrderRejected with a code) and, when the
   * fill model fills at the close and a bar is current for the symbol, matches it at once
   * against that close. Otherwise it waits for the next bar (or trade) at or after its
   * arrival. A second submit of an order the venue already knows is ignored.
   */
  submit(order: Order): void {
    if (this.books.knows(order.id)) return;
    const now = this.clock.now();
    const req = order.request;
    if (req.parentId !== undefined && this.books.wasRefused(req.parentId)) {
      // The entry was refused, exactly as if it had been canceled unfilled: the child is
      // accepted and canceled at once, so the strategy sees the same story either way.
      this.orderSeq += 1;
      this.books.refused(order.id);
      const { id: orderId, strategyId } = order;
      const symbol = req.symbol;
      this.reports.accepted(orderId, strategyId, symbol, this.orderSeq, now);
      this.reports.canceled(orderId, strategyId, symbol, now, SimReason.PARENT_CANCELED);
      return;
    }
    const o = admitOrder(this.desk, order, this.orderSeq + 1, now);
    if (!(o instanceof RestingOrder)) {
      this.books.refused(order.id);
      this.reports.rejected(order.id, order.strategyId, req.symbol, now, o.code, o.reason);
      return;
    }
    this.orderSeq += 1;
    this.books.register(o);
    this.reports.accepted(o.id, o.order.strategyId, o.symbol, o.seq, now);
    const parent = o.parent;
    if (parent !== undefined && parent.closed && parent.filled === 0n) {
      this.contingent.close(o, now, SimReason.PARENT_CANCELED);
      return;
    }
    // A late member of an OCO group that fired is done, unless the fills were its own
    // bracket's legs: then it ends only once they closed all its parent filled.
    const fired = req.ocoGroup !== undefined && this.books.hasFired(req.ocoGroup);
    if (
      parent === undefined
        ? fired
        : (fired && o.legsFilled() === 0n) || (parent.closed && o.allowance() <= 0n)
    ) {
      this.contingent.close(o, now, SimReason.OCO_SIBLING_FILLED);
      return;
    }
    // Cheat-on-close: an order that reaches the venue at once trades at the current close.
    // With latency the close is gone by the time it arrives; it waits for later bars.
    if (this.model.config.fillAt === 'close' && this.model.config.latencyMs === 0) {
      this.matching.matchOnArrival(o);
    }
    this.recall.saveTrailingOf(o);
  }

  /**
   * Cancels an open order (OrderCanceled with `reason`); an unknown or already closed order
   * is ignored, as the OMS may race a fill. Canceling a bracket parent with nothing filled
   * cancels its children.
   */
  cancel(order: Order, reason: string): void {
    const o = this.books.open(order.id);
    if (o === undefined) return;
    this.contingent.close(o, this.clock.now(), reason);
  }

  /**
   * Amends a resting order in place (see amendResting): OrderAmended, or OrderAmendRejected
   * with the reason. A new price re-rests the order behind the others of its symbol and
   * counts as arriving now (latency applies); with close fills, crossing the last price it
   * trades at the current close at once, like a new order.
   */
  amend(order: Order, terms: AmendTerms): void {
    const now = this.clock.now();
    const base = { orderId: order.id, strategyId: order.strategyId, symbol: order.symbol, ts: now };
    const o = this.books.open(order.id);
    const ref = o === undefined ? undefined : this.books.find(o.symbol)?.current?.close;
    const done = amendResting(o, order, terms, ref, now + this.model.config.latencyMs, this.venue);
    if ('code' in done) {
      const { code, reason } = done;
      this.reports.emit({ type: 'OrderAmendRejected', code, reason, ...base, eventId: '' });
      return;
    }
    const rested = done.order;
    if (done.repriced) this.requeue(rested);
    this.reports.emit({
      type: 'OrderAmended',
      price: done.after.price,
      quantity: done.quantity,
      previousPrice: done.before.price,
      previousQuantity: done.before.quantity,
      reason: order.pendingAmend?.reason ?? 'amended',
      ...base,
      eventId: '',
    });
    if (
      done.repriced &&
      rested.takerOnArrival &&
      this.model.config.fillAt === 'close' &&
      this.model.config.latencyMs === 0
    ) {
      this.matching.matchOnArrival(rested);
    }
  }

  /** Moves a re-priced order behind the others of its symbol (not while a walk iterates the book). */
  private requeue(o: RestingOrder): void {
    if (this.books.walking) return;
    const orders = this.books.of(o.symbol).orders;
    const i = orders.indexOf(o);
    if (i < 0 || i === orders.length - 1) return;
    orders.splice(i, 1);
    orders.push(o);
  }

  /**
   * A new closed bar, BEFORE strategies see it: matches the resting orders of bar.symbol
   * along the intrabar walk, then remembers the bar as current for 'close' fills. A bar
   * still forming (`closed: false`) is ignored: its prices would be matched again and again.
   */
  processBar(bar: Bar): void {
    const book = this.books.of(bar.symbol);
    if (!bar.closed) return;
    if (book.orders.length > 0) this.matching.matchBar(book, bar);
    book.current = bar;
    book.closePaths = undefined;
    this.matching.runPending();
    this.recall.saveTrailing(book.orders);
    if (this.clearing !== undefined) this.clear(bar);
  }

  /** Perpetuals: the clearing of a bar (mark, funding, liquidation) after its matching. */
  private clear(bar: Bar): void {
    let inst: Instrument;
    try {
      inst = this.instrumentOf(bar.symbol);
    } catch {
      return;
    }
    if (inst.kind === 'PERPETUAL') this.clearing?.onBar(inst, bar, this.clock.now());
  }

  /** Cancels every open order of `symbol` with `reason` (the liquidation engine does so first). */
  cancelSymbol(symbol: string, ts: Millis, reason: string): void {
    for (const o of this.books.openOf(symbol)) this.contingent.close(o, ts, reason);
  }

  /** Shadow mode: a trade print is a one-price bar (o = h = l = c = price, volume = amount). */
  processTrade(trade: Trade): void {
    const p = trade.price;
    this.processBar({
      symbol: trade.symbol,
      timeframe: 'trade',
      ts: trade.ts,
      open: p,
      high: p,
      low: p,
      close: p,
      volume: trade.amount,
      closed: true,
    });
  }

  /** Open orders (including untriggered and not yet active ones) in acceptance order. */
  openOrders(symbol?: string): Order[] {
    return this.books.openOrders(symbol);
  }

  /**
   * Takes back an order that was open before a restart (shadow mode resumes its paper
   * book): it rests again with its filled part and trigger state, without a new
   * OrderAccepted, since the OMS already holds it as accepted. One that can no longer rest
   * (unknown symbol, parent gone, not fundable) is canceled with the reason.
   */
  adopt(order: Order): void {
    if (this.books.isOpen(order.id)) return;
    const now = this.clock.now();
    this.recall.recallParent(order.request.parentId, now);
    const o = admitOrder(this.desk, order, this.orderSeq + 1, now);
    if (!(o instanceof RestingOrder)) {
      const reason = `not restorable after restart: ${o.reason}`;
      this.reports.canceled(order.id, order.strategyId, order.symbol, now, reason);
      return;
    }
    this.orderSeq += 1;
    o.filled = order.filledQty;
    o.triggered = order.status === 'TRIGGERED';
    // It rested on the book before the restart: a price through it now is a fill, not a crossing on arrival.
    o.arrivalUnchecked = false;
    o.seen = true;
    this.books.register(o);
    this.recall.recallClosedLegs(o, now);
    this.recall.restoreTrailing(o);
    const parent = o.parent;
    if (parent?.closed !== true || (parent.filled > 0n && o.allowance() > 0n)) return;
    let reason: SimReason = SimReason.PARENT_FILLED_LESS;
    if (parent.filled === 0n) reason = SimReason.PARENT_CANCELED;
    // Its sibling legs closed before the restart what the entry filled.
    else if (o.legsFilled() > o.filled) reason = SimReason.OCO_SIBLING_FILLED;
    this.contingent.close(o, now, reason);
  }
}
