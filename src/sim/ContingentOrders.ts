import { ClassKeeper } from '../core/ClassKeeper.js';
import type { Millis } from '../core/time.js';
import type { IntrabarPath } from './IntrabarPath.js';
import type { MatchPass } from './MatchPass.js';
import type { PricedEvent } from './MatchEvent.js';
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

  constructor(books: VenueBooks, reports: VenueReports) {
    this.books = books;
    this.reports = reports;
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
    o.cursor = undefined;
    o.event = undefined;
    const book = this.books.remove(o);
    if (book !== undefined && !this.books.walking) this.books.sweep(book);
  }

  /**
   * The parent just filled more: its children may now work that much. Mid-bar they follow
   * the parent's own walk from the fill point (that part of the bar is history the parent
   * already lived); at the bar's start nothing has happened yet, so each takes its own walk.
   */
  activateChildren(parent: RestingOrder, pass: MatchPass, path: IntrabarPath, ev: PricedEvent): void {
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
  settleChildren(parent: RestingOrder, ts: Millis): void {
    for (const c of parent.children) {
      if (c.closed) continue;
      if (parent.filled === 0n) this.close(c, ts, SimReason.PARENT_CANCELED);
      else if (c.allowance() <= 0n) this.close(c, ts, SimReason.PARENT_FILLED_LESS);
    }
  }

  /** One fill in an OCO group cancels every other open member, even if the filler is only partly done. */
  fireOco(group: string, filler: RestingOrder, ts: Millis): void {
    for (const m of this.books.fire(group))
      if (m !== filler && !m.closed) this.close(m, ts, SimReason.OCO_SIBLING_FILLED);
  }
}
