import type { Millis } from '../core/time.js';
import type { Instrument } from '../model/Instrument.js';
import type { Order } from '../model/Order.js';
import { OrderSide } from '../model/enums.js';
import { RestingOrder } from './RestingOrder.js';
import type { VenueBooks } from './VenueBooks.js';

/**
 * Where shadow mode keeps the best price each trailing stop has seen, so that a restart
 * trails on from it. Without it a restored stop trails from the first price after the
 * restart: looser than the one the user had before the stop.
 */
export interface TrailingMarks {
  load(orderId: string): number | undefined;
  save(orderId: string, watermark: number): void;
  /** The stop left the book (filled, canceled, expired): its mark is of no further use. */
  forget(orderId: string): void;
}

/** What a venue taking back its book after a restart may read of the time before it. */
export interface RecallSources {
  /** Orders by id, open or closed, from before this venue existed (the order journal). */
  readonly lookup?: ((orderId: string) => Order | undefined) | undefined;
  /** Ids of the journal's bracket children of an entry, whatever their state. */
  readonly childrenOf?: ((parentId: string) => readonly string[]) | undefined;
  readonly trailingMarks?: TrailingMarks | undefined;
}

/**
 * The simulated venue's memory across a restart (shadow mode): only open orders are adopted
 * again, yet what closed before still matters to them. A bracket child needs its entry's
 * fills and its closed sibling legs' fills (what is left to guard), a trailing stop the best
 * price it had seen. A backtest has none of these sources and pays nothing for them.
 */
export class RestartRecall {
  constructor(
    private readonly books: VenueBooks,
    private readonly instrumentOf: (symbol: string) => Instrument,
    private readonly sources: RecallSources,
  ) {}

  /**
   * A bracket entry that closed before a restart is not adopted (only open orders are), yet
   * its children still guard what it filled: it is taken from the journal as a closed order
   * with its fills, so they rest again instead of being canceled.
   */
  recallParent(parentId: string | undefined, now: Millis): void {
    const lookup = this.sources.lookup;
    if (parentId === undefined || lookup === undefined || this.books.recent(parentId) !== undefined) return;
    const parent = lookup(parentId);
    if (parent === undefined || parent.isOpen) return;
    let inst: Instrument;
    try {
      inst = this.instrumentOf(parent.symbol);
    } catch {
      return;
    }
    const entry = new RestingOrder(parent, 0, inst, now, undefined);
    entry.filled = parent.filledQty;
    entry.closed = true;
    this.books.recall(entry);
  }

  /**
   * The legs of `child`'s bracket that closed before the restart with fills (a take-profit
   * partly filled, then canceled) closed that much of the position: they join the entry's
   * children as closed orders, so the restored leg's allowance (RestingOrder.allowance)
   * counts them, as it did before the stop. Open legs are adopted on their own.
   */
  recallClosedLegs(child: RestingOrder, now: Millis): void {
    const { lookup, childrenOf } = this.sources;
    const parent = child.parent;
    if (parent === undefined || lookup === undefined || childrenOf === undefined) return;
    for (const id of childrenOf(parent.id)) {
      if (this.books.isOpen(id) || parent.children.some((c) => c.id === id)) continue;
      const leg = lookup(id);
      if (leg === undefined || leg.isOpen || leg.filledQty <= 0n) continue;
      const closed = new RestingOrder(leg, 0, child.instrument, now, parent);
      closed.filled = leg.filledQty;
      closed.closed = true;
      parent.children.push(closed);
    }
  }

  /** A restored trailing stop trails on from the best price it had seen before the restart. */
  restoreTrailing(o: RestingOrder): void {
    if (o.trailPct === undefined || this.sources.trailingMarks === undefined) return;
    const saved = this.sources.trailingMarks.load(o.id);
    if (saved === undefined) return;
    const wm = o.watermark;
    const sell = o.side === OrderSide.SELL;
    o.watermark = wm === undefined ? saved : sell ? Math.max(wm, saved) : Math.min(wm, saved);
    o.savedWatermark = saved;
  }

  /** Records the trailing stops among `orders` whose best price moved since last recorded. */
  saveTrailing(orders: readonly RestingOrder[]): void {
    const marks = this.sources.trailingMarks;
    if (marks === undefined) return;
    for (const o of orders) saveMark(marks, o);
  }

  /**
   * A stop whose mark was recorded has left the book: the mark goes with it, so a long
   * shadow session keeps marks only for the stops still open.
   */
  forgetTrailing(o: RestingOrder): void {
    if (o.savedWatermark === undefined) return;
    o.savedWatermark = undefined;
    this.sources.trailingMarks?.forget(o.id);
  }

  /** The same for one order (a submission: no array made per order where nothing is kept). */
  saveTrailingOf(o: RestingOrder): void {
    const marks = this.sources.trailingMarks;
    if (marks !== undefined) saveMark(marks, o);
  }
}

/** Records `o`'s best price if it is a live trailing stop whose best price moved since last recorded. */
function saveMark(marks: TrailingMarks, o: RestingOrder): void {
  const wm = o.watermark;
  if (o.trailPct === undefined || o.closed || o.triggered || wm === undefined || wm === o.savedWatermark)
    return;
  marks.save(o.id, wm);
  o.savedWatermark = wm;
}
