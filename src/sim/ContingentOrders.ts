import { ClassKeeper } from '../core/ClassKeeper.js';
import type { Millis } from '../core/time.js';
import type { IntrabarPath } from './IntrabarPath.js';
import type { MatchPass } from './MatchPass.js';
import { arrivalPrice, arrivalTime } from './MatchPass.js';
import { fixedToFloat } from './priceRounding.js';
import type { PricedEvent } from './MatchEvent.js';
import type { RestartRecall } from './RestartRecall.js';
import type { RestingOrder } from './RestingOrder.js';
import { SimReason } from './SimReason.js';
import type { VenueBooks } from './VenueBooks.js';
import type { VenueReports } from './VenueReports.js';

/** The last resting order closed by any venue of this thread: keeps their class (see ClassKeeper). */
const CLOSED = new ClassKeeper<RestingOrder>();

/**
 * How an order leaving the book, or filling, reaches the orders tied to it: a bracket
 * parent's children are activated by its fills and canceled when it ends with nothing left
 * for them to protect; one fill in an OCO group cancels the other members. Every cancel of
 * the venue goes through `close`, so that cascade cannot be skipped.
 */
export class ContingentOrders {
  private readonly books: VenueBooks;
  private readonly reports: VenueReports;
  private readonly recall: RestartRecall;

  constructor(books: VenueBooks, reports: VenueReports, recall: RestartRecall) {
    this.books = books;
    this.reports = reports;
    this.recall = recall;
  }

  /** Closes an open order with OrderCanceled and settles what depended on it. */
  close(o: RestingOrder, ts: Millis, reason: string): void {
    if (o.closed) return;
    this.detach(o);
    this.reports.canceled(o.id, o.order.strategyId, o.symbol, ts, reason);
    this.settleChildren(o, ts);
  }

  /** Removes a finished order from every index (no report). */
  detach(o: RestingOrder): void {
    CLOSED.keep(o);
    o.closed = true;
    this.recall.forgetTrailing(o);
    o.cursor = undefined;
    o.event = undefined;
    const book = this.books.remove(o);
    if (book !== undefined && !this.books.walking) this.books.sweep(book);
  }

  /**
   * The parent just filled more: its children may now work that much. Mid-bar they follow
   * the parent's own walk from the fill point (that part of the bar is history the parent
   * already lived); at the bar's start nothing has happened yet, so each takes its own walk.
   * A child that reaches the venue later in the bar (latency) joins that walk where it arrives.
   */
  activateChildren(parent: RestingOrder, pass: MatchPass, path: IntrabarPath, ev: PricedEvent): void {
    for (const c of parent.children) {
      if (c.closed || c.allowance() <= 0n) continue;
      // Not at the venue before this walk ends: it joins a later one.
      const arrived = arrivalTime(pass, c.arrival);
      if (arrived === undefined) continue;
      if (c.epoch === pass.epoch) c.leave(ev.t);
      const walk = ev.t === 0 ? pass.paths.forSide(c.side) : path;
      if (arrived <= ev.t) c.place(pass.epoch, walk, ev.t, ev.pxF, ev.px, true);
      else {
        const px = arrivalPrice(walk, arrived, c.instrument.tickSize);
        c.place(pass.epoch, walk, arrived, fixedToFloat(px), px, true);
      }
      c.seen = true;
    }
  }

  /**
   * A parent is done: children that can never fill again are canceled (nothing filled → no
   * position to protect; partly filled → a child already covering all of it is finished).
   */
  settleChildren(parent: RestingOrder, ts: Millis): void {
    for (const c of parent.children) {
      if (c.closed) continue;
      if (parent.filled === 0n) this.close(c, ts, SimReason.PARENT_CANCELED);
      else if (c.allowance() <= 0n) this.close(c, ts, SimReason.PARENT_FILLED_LESS);
    }
  }

  /**
   * One fill in an OCO group cancels every other open member, even if the filler is only
   * partly done. The other legs of a bracket (same parent, same group) are not members to
   * cancel but guards of what is left: they stay for the rest of the position (see
   * RestingOrder.allowance) and end once the group closed all the parent filled.
   */
  fireOco(group: string, filler: RestingOrder, ts: Millis): void {
    for (const m of this.books.fire(group)) {
      if (m === filler || m.closed) continue;
      if (!m.isLegOf(filler)) this.close(m, ts, SimReason.OCO_SIBLING_FILLED);
      else this.shrinkLeg(m, ts);
    }
  }

  /**
   * A leg of a bracket without an OCO group: the fill of one leg shrinks what the others may
   * close, as in a group.
   */
  shareLegFill(filler: RestingOrder, ts: Millis): void {
    const parent = filler.parent;
    if (parent === undefined) return;
    for (const m of parent.children)
      if (m !== filler && !m.closed && m.isLegOf(filler)) this.shrinkLeg(m, ts);
  }

  /** A sibling leg just closed part of the position: done once nothing is left to guard. */
  private shrinkLeg(m: RestingOrder, ts: Millis): void {
    if (m.parent?.closed === true && m.allowance() <= 0n) this.close(m, ts, SimReason.OCO_SIBLING_FILLED);
    else m.eventStale = true;
  }
}
