import { timeframeToMs } from '../core/time.js';
import { truncate } from '../core/truncate.js';
import type { Clock } from '../kernel/Clock.js';
import type { Bar } from '../model/Bar.js';
import type { FillDesk } from './fillOrder.js';
import { expireReason, fillOrder } from './fillOrder.js';
import { BarPaths } from './IntrabarPath.js';
import type { MatchEvent } from './MatchEvent.js';
import type { MatchPass } from './MatchPass.js';
import { arrivalPrice, arrivalTime } from './MatchPass.js';
import { fixedToFloat } from './priceRounding.js';
import { matchOrder } from './matchOrder.js';
import type { RestingOrder } from './RestingOrder.js';
import { SimReason } from './SimReason.js';
import type { SymbolBook, VenueBooks } from './VenueBooks.js';

/**
 * The venue's matching: walks the resting orders of a symbol along each bar (see
 * IntrabarPath) and matches orders that arrive while a bar is current against its close.
 * Within a walk, events are executed earliest first across all orders of the book (see
 * matchOrder for what each order type waits for, fillOrder for a fill).
 */
export class MatchingEngine {
  private readonly clock: Clock;
  private readonly books: VenueBooks;
  private readonly desk: FillDesk;
  /** Orders waiting to be matched against the current close ('close' fills). */
  private pending: RestingOrder[] = [];
  /** The other of two pending lists, swapped in turn so a submit allocates no batch array. */
  private pendingSpare: RestingOrder[] = [];
  private epoch = 0;
  /** Post-only orders of the bar being matched that crossed the book on arrival (see refuse). */
  private readonly refused: RestingOrder[] = [];
  /** The last bar timeframe read, and its milliseconds (see spanOf). */
  private spanTimeframe = '';
  private spanMs = 0;

  constructor(clock: Clock, books: VenueBooks, desk: FillDesk) {
    this.clock = clock;
    this.books = books;
    this.desk = desk;
  }

  /** Matches `o` against the current close of its symbol now, or as soon as the running walk ends. */
  matchOnArrival(o: RestingOrder): void {
    this.pending.push(o);
    this.drainPending();
  }

  /** Walks the orders of `book` that are at the venue along `bar`. */
  matchBar(book: SymbolBook, bar: Bar): void {
    let pass: MatchPass | undefined;
    // The walk visits open and close too; a malformed bar may have them outside [low, high].
    const lo = Math.min(bar.low, bar.open, bar.close);
    const hi = Math.max(bar.high, bar.open, bar.close);
    for (const o of book.orders) {
      if (o.closed) continue;
      // Arriving after the open (latency), it joins the walk where the bar then is.
      const late = o.arrival > bar.ts;
      if (late && o.arrival >= bar.ts + this.spanOf(bar)) {
        // Not at the venue yet. By the time it arrives this bar is history: its close is the
        // book the order meets, not the price it was sent at, and decides whether it crossed.
        o.takerOnArrival = o.marketableAt(bar.close);
        o.arrivalUnchecked = false;
        continue;
      }
      const firstBar = !o.seen;
      o.seen = true;
      if (firstBar && !late && o.takerOnArrival && refusedOnArrival(o)) {
        // A post-only order the market crossed while it was in flight: refused where it arrives.
        this.refused.push(o);
        continue;
      }
      if (firstBar && o.arrivalUnchecked) {
        // It reached the venue before any price was known: as an exchange checks an order
        // against the book on arrival, its first price (the open) tells whether it crossed,
        // so it takes liquidity there and a post-only one is refused instead of resting.
        o.arrivalUnchecked = false;
        if (!late) o.takerOnArrival = o.marketableAt(bar.open);
      }
      // Most resting orders sit far from the market: skip the walk when the bar's range
      // cannot touch them. A bracket child whose parent has not filled sits out too (its
      // parent's fill may still activate it mid-bar).
      if (!o.mayActWithin(lo, hi) || o.allowance() <= 0n) continue;
      pass ??= {
        epoch: ++this.epoch,
        ts: bar.ts,
        volume: bar.volume,
        paths: BarPaths.ofBar(bar, this.desk.model.config.intrabar),
        span: this.spanOf(bar),
      };
      const path = pass.paths.forSide(o.side);
      if (!late) o.place(pass.epoch, path, 0, bar.open, undefined, o.takerOnArrival && firstBar);
      else {
        // Crossing the market where it arrives, it takes liquidity there.
        const t = arrivalTime(pass, o.arrival) ?? 3;
        const px = arrivalPrice(path, t, o.instrument.tickSize);
        o.place(pass.epoch, path, t, fixedToFloat(px), px, true);
      }
    }
    if (this.refused.length > 0) this.refuse();
    if (pass !== undefined) this.run(book, pass);
  }

  /** Cancels the post-only orders found crossed on arrival (after the book loop: a cancel may sweep it). */
  private refuse(): void {
    for (const o of this.refused) this.desk.contingent.close(o, o.arrival, SimReason.POST_ONLY_WOULD_TAKE);
    truncate(this.refused, 0);
  }

  /** Milliseconds of a bar (0 for a trade print or a timeframe the venue cannot read). */
  private spanOf(bar: Bar): number {
    if (bar.timeframe !== this.spanTimeframe) {
      this.spanTimeframe = bar.timeframe;
      try {
        this.spanMs = timeframeToMs(bar.timeframe);
      } catch {
        this.spanMs = 0;
      }
    }
    return this.spanMs;
  }

  /**
   * Orders that arrived while a bar is current fill against its close, as a one-price walk
   * (once the running walk ends, if one is running). Cheap when none waits: called per bar.
   */
  runPending(): void {
    if (this.pending.length > 0) this.drainPending();
  }

  private drainPending(): void {
    while (this.pending.length > 0 && !this.books.walking) {
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
    const pass: MatchPass = { epoch: ++this.epoch, ts: this.clock.now(), volume: cur.volume, paths, span: 0 };
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
    const books = this.books;
    const outer = books.walking;
    books.walking = true;
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
      books.walking = outer;
      if (!outer) books.sweep(book);
    }
  }

  private execute(o: RestingOrder, ev: MatchEvent, pass: MatchPass): void {
    // An order that reached the venue inside the bar acts no earlier than its arrival.
    const ts = o.arrival > pass.ts ? o.arrival : pass.ts;
    if (ev.kind === 'expire') {
      o.leave(ev.t);
      this.desk.contingent.close(o, ts, expireReason(o));
      return;
    }
    const cursor = o.cursor;
    if (cursor === undefined) return;
    if (ev.kind === 'trigger') {
      // From the trigger point the order works as a market or limit order just arriving.
      o.triggered = true;
      o.place(pass.epoch, cursor.path, ev.t, ev.pxF, ev.px, true);
      this.desk.reports.triggered(o, ts);
      return;
    }
    fillOrder(this.desk, o, ev, pass, cursor.takerStart);
  }
}

/**
 * Whether an order that crossed the book on arrival must be refused rather than take: a
 * post-only one, once live (a bracket child whose parent has not filled is checked when the
 * parent's fill activates it).
 */
function refusedOnArrival(o: RestingOrder): boolean {
  return o.order.request.postOnly && (o.parent === undefined || o.parent.filled > 0n);
}

function firstOfSymbol(orders: readonly RestingOrder[], symbol: string): number {
  let i = 0;
  while ((orders[i] as RestingOrder).symbol !== symbol) i++;
  return i;
}
