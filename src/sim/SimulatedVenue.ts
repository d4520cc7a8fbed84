import type { Fixed } from '../core/Fixed.js';
import { ZERO, add, min, mul, sub } from '../core/Fixed.js';
import { ClassKeeper } from '../core/ClassKeeper.js';
import { QtsError } from '../core/QtsError.js';
import { Rng } from '../core/Rng.js';
import type { Millis } from '../core/time.js';
import type { ExecutionClient, ExecutionReportSink, FundsView } from '../execution/ExecutionClient.js';
import type { Clock } from '../kernel/Clock.js';
import type { Bar, Trade } from '../model/Bar.js';
import { Liquidity, TimeInForce } from '../model/enums.js';
import type { OrderEventInput } from '../model/events.js';
import type { Instrument } from '../model/Instrument.js';
import { FeeSide, feeInBase } from '../model/Instrument.js';
import type { Order } from '../model/Order.js';
import type { AmendTerms } from '../model/OrderAmend.js';
import { AccountChecks } from './AccountChecks.js';
import type { MarginView } from './AccountChecks.js';
import { FillModel } from './FillModel.js';
import type { FillModelConfig } from './FillModel.js';
import { BarPaths } from './IntrabarPath.js';
import type { IntrabarPath } from './IntrabarPath.js';
import type { MatchEvent, PricedEvent } from './MatchEvent.js';
import { matchOrder } from './matchOrder.js';
import { PerpetualClearing } from './PerpetualClearing.js';
import type { PerpetualClearingOptions } from './PerpetualClearing.js';
import { RestingOrder } from './RestingOrder.js';
import { SimReason } from './SimReason.js';
import { admitOrder } from './admitOrder.js';
import { amendResting } from './amendResting.js';
import type { AdmissionDesk } from './admitOrder.js';
import { VenueBooks } from './VenueBooks.js';
import type { SymbolBook } from './VenueBooks.js';
import { truncate } from '../core/truncate.js';

// The venue's config travels with it: callers import the venue and its fill model together.
export { DEFAULT_FILL_MODEL } from './FillModel.js';
export type { FillModelConfig, SlippageModel } from './FillModel.js';

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
   * Closed orders remembered at least (default 1024). A backtest needs only a few: bracket
   * children arrive with their parent, and a resubmit cannot happen.
   */
  memory?: number;
}

/** One matching walk: a bar, or the current close for orders filling on submit. */
interface MatchPass {
  readonly epoch: number;
  /** Event time of everything that happens in this walk. */
  readonly ts: Millis;
  readonly volume: number;
  readonly paths: BarPaths;
}

/**
 * How many closed orders and fired OCO groups the venue remembers at least by default (for
 * late bracket children and resubmits).
 */
const MEMORY = 1024;

/** The last resting order closed by any venue of this thread: keeps their class (see ClassKeeper). */
const CLOSED = new ClassKeeper<RestingOrder>();

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
 * happened; clock.now() for a fill at the current close on submit).
 */
export class SimulatedVenue implements ExecutionClient {
  readonly venue: string;
  /** Seeded randomness for fill models that need it; the current models are deterministic. */
  readonly rng: Rng;
  private readonly clock: Clock;
  private readonly instrumentOf: (symbol: string) => Instrument;
  private readonly checks: AccountChecks;
  private readonly model: FillModel;
  private sink: ExecutionReportSink | undefined;
  private readonly books: VenueBooks;
  private readonly desk: AdmissionDesk;
  /** Orders waiting to be matched against the current close ('close' fills). */
  private pending: RestingOrder[] = [];
  /** The other of two pending lists, swapped in turn so a submit allocates no batch array. */
  private pendingSpare: RestingOrder[] = [];
  private orderSeq = 0;
  private tradeSeq = 0;
  private epoch = 0;
  private matching = false;
  /** Perpetuals: the exchange's clearing (mark, funding, liquidation), when configured. */
  readonly clearing: PerpetualClearing | undefined;

  /** "SIM-" and "SIM-T": venue order and trade ids are one concatenation each. */
  private readonly orderIdPrefix: string;
  private readonly tradeIdPrefix: string;

  constructor(opts: SimulatedVenueOptions) {
    this.venue = opts.venue ?? 'SIM';
    this.orderIdPrefix = `${this.venue}-`;
    this.tradeIdPrefix = `${this.venue}-T`;
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
    this.rng = new Rng(opts.seed ?? 0);
    this.books = new VenueBooks(opts.memory ?? MEMORY);
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
    this.sink = sink;
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
      this.emit({
        type: 'OrderAccepted',
        venueOrderId: this.orderIdPrefix + String(this.orderSeq),
        orderId,
        strategyId,
        symbol,
        ts: now,
        eventId: '',
      });
      this.emit({
        type: 'OrderCanceled',
        reason: SimReason.PARENT_CANCELED,
        orderId,
        strategyId,
        symbol,
        ts: now,
        eventId: '',
      });
      return;
    }
    const o = admitOrder(this.desk, order, this.orderSeq + 1, now);
    if (!(o instanceof RestingOrder)) {
      this.books.refused(order.id);
      const { code, reason } = o;
      this.emit({
        type: 'OrderRejected',
        code,
        reason,
        orderId: order.id,
        strategyId: order.strategyId,
        symbol: req.symbol,
        ts: now,
        eventId: '',
      });
      return;
    }
    this.orderSeq += 1;
    this.books.register(o);
    this.emit({
      type: 'OrderAccepted',
      venueOrderId: this.orderIdPrefix + String(o.seq),
      orderId: o.id,
      strategyId: o.order.strategyId,
      symbol: o.symbol,
      ts: now,
      eventId: '',
    });
    if (o.parent !== undefined && o.parent.closed && o.parent.filled === 0n) {
      this.close(o, now, SimReason.PARENT_CANCELED);
      return;
    }
    if (req.ocoGroup !== undefined && this.books.hasFired(req.ocoGroup)) {
      this.close(o, now, SimReason.OCO_SIBLING_FILLED);
      return;
    }
    // Cheat-on-close: an order that reaches the venue at once trades at the current close.
    // With latency the close is gone by the time it arrives; it waits for later bars.
    if (this.model.config.fillAt === 'close' && this.model.config.latencyMs === 0) {
      this.pending.push(o);
      this.runPending();
    }
  }

  /**
   * Cancels an open order (OrderCanceled with `reason`); an unknown or already closed order
   * is ignored, as the OMS may race a fill. Canceling a bracket parent with nothing filled
   * cancels its children.
   */
  cancel(order: Order, reason: string): void {
    const o = this.books.open(order.id);
    if (o === undefined) return;
    this.close(o, this.clock.now(), reason);
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
      this.emit({ type: 'OrderAmendRejected', code, reason, ...base, eventId: '' });
      return;
    }
    const rested = done.order;
    if (done.repriced) this.requeue(rested);
    this.emit({
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
      this.pending.push(rested);
      this.runPending();
    }
  }

  /** Moves a re-priced order behind the others of its symbol (not while a walk iterates the book). */
  private requeue(o: RestingOrder): void {
    if (this.matching) return;
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
    if (book.orders.length > 0) this.matchBar(book, bar);
    book.current = bar;
    book.closePaths = undefined;
    if (this.pending.length > 0) this.runPending();
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
    for (const o of this.books.openOf(symbol)) this.close(o, ts, reason);
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
    const o = admitOrder(this.desk, order, this.orderSeq + 1, now);
    if (!(o instanceof RestingOrder)) {
      this.emit({
        type: 'OrderCanceled',
        reason: `not restorable after restart: ${o.reason}`,
        orderId: order.id,
        strategyId: order.strategyId,
        symbol: order.symbol,
        ts: now,
        eventId: '',
      });
      return;
    }
    this.orderSeq += 1;
    o.filled = order.filledQty;
    o.triggered = order.status === 'TRIGGERED';
    this.books.register(o);
  }

  // ── matching ────────────────────────────────────────────────────────────────────────

  private matchBar(book: SymbolBook, bar: Bar): void {
    let pass: MatchPass | undefined;
    // The walk visits open and close too; a malformed bar may have them outside [low, high].
    const lo = Math.min(bar.low, bar.open, bar.close);
    const hi = Math.max(bar.high, bar.open, bar.close);
    for (const o of book.orders) {
      if (o.closed || o.arrival > bar.ts) continue; // not at the venue yet
      const firstBar = !o.seen;
      o.seen = true;
      // Most resting orders sit far from the market: skip the walk when the bar's range
      // cannot touch them. A bracket child whose parent has not filled sits out too (its
      // parent's fill may still activate it mid-bar).
      if (!o.mayActWithin(lo, hi) || o.allowance() <= 0n) continue;
      pass ??= {
        epoch: ++this.epoch,
        ts: bar.ts,
        volume: bar.volume,
        paths: BarPaths.ofBar(bar, this.model.config.intrabar),
      };
      o.place(pass.epoch, pass.paths.forSide(o.side), 0, bar.open, undefined, o.takerOnArrival && firstBar);
    }
    if (pass !== undefined) this.run(book, pass);
  }

  /** Orders that arrived while a bar is current fill against its close, as a one-price walk. */
  private runPending(): void {
    while (this.pending.length > 0 && !this.matching) {
      // Orders submitted while this batch matches (strategies reacting to its fills) queue
      // on the other list and form the next batch.
      const batch = this.pending;
      this.pending = this.pendingSpare;
      for (let i = 0; i < batch.length; i++) {
        const symbol = (batch[i] as RestingOrder).symbol;
        // Each symbol once, in order of first appearance (batches hold one order but for
        // submits made while matching).
        if (firstOfSymbol(batch, symbol) === i) this.matchAtClose(symbol, batch);
      }
      truncate(batch, 0);
      this.pendingSpare = batch;
    }
  }

  private matchAtClose(symbol: string, batch: readonly RestingOrder[]): void {
    const book = this.books.find(symbol);
    const cur = book?.current;
    if (book === undefined || cur === undefined) return;
    const paths = (book.closePaths ??= BarPaths.constant(cur.close));
    const pass: MatchPass = { epoch: ++this.epoch, ts: this.clock.now(), volume: cur.volume, paths };
    for (const o of batch) {
      if (o.symbol !== symbol || o.closed || o.allowance() <= 0n) continue;
      o.place(pass.epoch, paths.forSide(o.side), 0, cur.close, undefined, true);
      o.seen = true;
    }
    this.run(book, pass);
  }

  /**
   * Executes the events of one walk in path-time order (ties: acceptance order), so an OCO
   * sibling touched later in the walk is canceled before it can fill, and a bracket child
   * activated by its parent can still fill on the rest of the walk.
   */
  private run(book: SymbolBook, pass: MatchPass): void {
    const outer = this.matching;
    this.matching = true;
    try {
      for (;;) {
        let best: RestingOrder | undefined;
        let bestEv: MatchEvent | undefined;
        for (const o of book.orders) {
          if (o.closed || o.epoch !== pass.epoch || o.cursor === undefined) continue;
          if (o.eventStale) {
            o.event = matchOrder(o);
            o.eventStale = false;
          }
          const ev = o.event;
          if (ev !== undefined && (bestEv === undefined || ev.t < bestEv.t)) {
            best = o;
            bestEv = ev;
          }
        }
        if (best === undefined || bestEv === undefined) break;
        this.execute(best, bestEv, pass);
      }
      for (const o of book.orders) if (o.epoch === pass.epoch) o.leave(3);
    } finally {
      this.matching = outer;
      if (!outer) this.books.sweep(book);
    }
  }

  private execute(o: RestingOrder, ev: MatchEvent, pass: MatchPass): void {
    if (ev.kind === 'expire') {
      o.leave(ev.t);
      this.close(o, pass.ts, expireReason(o));
      return;
    }
    const cursor = o.cursor;
    if (cursor === undefined) return;
    if (ev.kind === 'trigger') {
      // From the trigger point the order works as a market or limit order just arriving.
      o.triggered = true;
      o.place(pass.epoch, cursor.path, ev.t, ev.pxF, ev.px, true);
      this.emit({
        type: 'OrderTriggered',
        orderId: o.id,
        strategyId: o.order.strategyId,
        symbol: o.symbol,
        ts: pass.ts,
        eventId: '',
      });
      return;
    }
    this.fill(o, ev, pass, cursor.takerStart);
  }

  /**
   * One fill attempt at the event's price, with every check a real exchange makes at that
   * moment: post-only, volume share, reduce-only, FOK, funds. Venue state is updated before
   * the report goes out, so a strategy reacting inside the sink sees a consistent venue.
   */
  private fill(o: RestingOrder, ev: PricedEvent, pass: MatchPass, takerStart: boolean): void {
    const path = o.cursor?.path;
    o.leave(ev.t);
    const inst = o.instrument;
    const ts = pass.ts;
    const liquidity = o.marketLike || (ev.atStart && takerStart) ? Liquidity.TAKER : Liquidity.MAKER;
    if (!o.marketLike && liquidity === Liquidity.TAKER && o.order.request.postOnly) {
      this.close(o, ts, SimReason.POST_ONLY_WOULD_TAKE);
      return;
    }
    const px = o.marketLike ? this.model.slip(ev.px, o.side, inst.tickSize) : ev.px;

    if (o.filledInBarEpoch !== pass.epoch) {
      o.filledInBarEpoch = pass.epoch;
      o.filledInBar = ZERO;
    }
    let qty = o.allowance();
    const cap = this.model.volumeCap(pass.volume, inst.lotSize);
    if (cap !== undefined) qty = min(qty, sub(cap, o.filledInBar));
    if (qty <= 0n) {
      // The bar's volume is used up: a GTC order waits for the next bar, an IOC/FOK is done.
      if (o.immediateOnly) this.close(o, ts, expireReason(o));
      return;
    }
    let reduceCapped = false;
    if (o.order.request.reduceOnly) {
      const room = this.checks.reduceOnlyRoom(o);
      if (room <= 0n) {
        this.close(o, ts, SimReason.REDUCE_ONLY);
        return;
      }
      if (room < qty) {
        // Never flip the position: fill what closes it, cancel the rest.
        qty = room;
        reduceCapped = true;
      }
    }
    if (o.timeInForce === TimeInForce.FOK && qty < o.leaves) {
      this.close(o, ts, SimReason.FOK_NOT_FILLABLE);
      return;
    }
    const notional = mul(qty, px);
    let fee: Fixed;
    let feeCurrency = inst.settle;
    if (inst.feeSide === FeeSide.QUOTE) fee = this.model.feeOn(inst, notional, liquidity);
    else {
      // Binance-like spot: the fee is taken from the currency the feeSide names.
      const inBase = feeInBase(inst, o.side);
      if (inBase) feeCurrency = inst.base;
      fee = this.model.feeBySide(inst, inBase, qty, notional, liquidity);
    }
    if (!this.checks.canFill(inst, o.side, qty, notional, fee, feeCurrency)) {
      this.close(o, ts, SimReason.INSUFFICIENT_FUNDS);
      return;
    }
    if (inst.kind === 'PERPETUAL' && !this.checks.canMargin(inst, o.side, qty, px, fee)) {
      this.close(o, ts, SimReason.INSUFFICIENT_MARGIN);
      return;
    }

    o.filled = add(o.filled, qty);
    o.filledInBar = add(o.filledInBar, qty);
    const done = o.filled >= o.quantity;
    if (done) this.detach(o);
    this.tradeSeq += 1;
    this.emit({
      type: 'OrderFilled',
      tradeId: this.tradeIdPrefix + String(this.tradeSeq),
      side: o.side,
      lastQty: qty,
      lastPx: px,
      fee,
      feeCurrency,
      liquidity,
      orderId: o.id,
      strategyId: o.order.strategyId,
      symbol: o.symbol,
      ts,
      eventId: '',
    });
    const group = o.order.request.ocoGroup;
    if (group !== undefined) this.fireOco(group, o, ts);
    if (path !== undefined) this.activateChildren(o, pass, path, ev);
    if (done) {
      this.settleChildren(o, ts);
    } else if (!o.closed) {
      if (o.immediateOnly) this.close(o, ts, SimReason.IOC_REMAINDER);
      else if (reduceCapped) this.close(o, ts, SimReason.REDUCE_ONLY);
      else if (o.parent?.closed === true && o.allowance() <= 0n)
        this.close(o, ts, SimReason.PARENT_FILLED_LESS);
    }
  }

  /**
   * The parent just filled more: its children may now work that much. Mid-bar they follow
   * the parent's own walk from the fill point (that part of the bar is history the parent
   * already lived); at the bar's start nothing has happened yet, so each takes its own walk.
   */
  private activateChildren(parent: RestingOrder, pass: MatchPass, path: IntrabarPath, ev: PricedEvent): void {
    for (const c of parent.children) {
      if (c.closed || c.arrival > pass.ts || c.allowance() <= 0n) continue;
      if (c.epoch === pass.epoch) c.leave(ev.t);
      const walk = ev.t === 0 ? pass.paths.forSide(c.side) : path;
      c.place(pass.epoch, walk, ev.t, ev.pxF, ev.px, true);
      c.seen = true;
    }
  }

  /**
   * A parent is done: children that can never fill again are canceled (nothing filled → no
   * position to protect; partly filled → a child already covering all of it is finished).
   */
  private settleChildren(parent: RestingOrder, ts: Millis): void {
    for (const c of parent.children) {
      if (c.closed) continue;
      if (parent.filled === 0n) this.close(c, ts, SimReason.PARENT_CANCELED);
      else if (c.allowance() <= 0n) this.close(c, ts, SimReason.PARENT_FILLED_LESS);
    }
  }

  /** One fill in an OCO group cancels every other open member, even if the filler is only partly done. */
  private fireOco(group: string, filler: RestingOrder, ts: Millis): void {
    for (const m of this.books.fire(group))
      if (m !== filler && !m.closed) this.close(m, ts, SimReason.OCO_SIBLING_FILLED);
  }

  // ── bookkeeping ─────────────────────────────────────────────────────────────────────

  /** Closes an open order with OrderCanceled and settles what depended on it. */
  private close(o: RestingOrder, ts: Millis, reason: string): void {
    if (o.closed) return;
    this.detach(o);
    this.emit({
      type: 'OrderCanceled',
      reason,
      orderId: o.id,
      strategyId: o.order.strategyId,
      symbol: o.symbol,
      ts,
      eventId: '',
    });
    this.settleChildren(o, ts);
  }

  /** Removes a finished order from every index (no report). */
  private detach(o: RestingOrder): void {
    CLOSED.keep(o);
    o.closed = true;
    o.cursor = undefined;
    o.event = undefined;
    const book = this.books.remove(o);
    if (book !== undefined && !this.matching) this.books.sweep(book);
  }

  private emit(event: OrderEventInput): void {
    if (this.sink === undefined)
      throw new QtsError('ERR_NO_REPORT_SINK', `${this.venue}: setSink before submitting orders`);
    this.sink(event);
  }
}

function firstOfSymbol(orders: readonly RestingOrder[], symbol: string): number {
  let i = 0;
  while ((orders[i] as RestingOrder).symbol !== symbol) i++;
  return i;
}

/** Why an IOC/FOK order ends without filling everything on arrival. */
function expireReason(o: RestingOrder): SimReason {
  return o.timeInForce === TimeInForce.FOK ? SimReason.FOK_NOT_FILLABLE : SimReason.IOC_REMAINDER;
}
