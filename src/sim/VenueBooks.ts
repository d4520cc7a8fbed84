import { GenerationMap } from '../core/GenerationMap.js';
import { StableMap } from '../core/StableMap.js';
import { truncate } from '../core/truncate.js';
import type { Bar } from '../model/Bar.js';
import type { Order } from '../model/Order.js';
import type { BarPaths } from './IntrabarPath.js';
import type { RestingOrder } from './RestingOrder.js';

const NONE: readonly RestingOrder[] = [];

/** Open orders and the last known price of one symbol. */
export interface SymbolBook {
  readonly symbol: string;
  /** Open orders in acceptance order (time priority); closed ones are swept after each walk. */
  readonly orders: RestingOrder[];
  /** Last bar (or one-price trade bar): the price of 'close' fills and of arrival checks. */
  current: Bar | undefined;
  /** The one-price walk at `current`'s close, made on the first 'close' fill of that bar. */
  closePaths: BarPaths | undefined;
  hasClosed: boolean;
}

/**
 * What the simulated venue knows about orders: the open ones (by id, by symbol in time
 * priority, by OCO group) and, for a while, the ones that left. A bracket child may name a
 * parent that already filled on submit, a resubmit must be told from a new order, and a late
 * OCO member must see that its group already fired: a little recent history answers all
 * three, and remembering a little more than asked is harmless.
 */
export class VenueBooks {
  private readonly books = new Map<string, SymbolBook>();
  private lastBook: SymbolBook | undefined;
  /** Open orders by client order id, in acceptance order. */
  private readonly live = new StableMap<RestingOrder>();
  /**
   * Orders that left the book lately and, as null, orders refused lately (or children born
   * canceled): never on the book, nothing to protect. One map, so telling a new order from
   * a resubmit is one probe.
   */
  private readonly past: GenerationMap<string, RestingOrder | null>;
  private readonly ocoMembers = new Map<string, RestingOrder[]>();
  /** OCO groups in which an order already filled: a late member is canceled on arrival. */
  private readonly firedOco: GenerationMap<string, true>;
  /**
   * True while a matching walk iterates a book (or a report sent from it is being handled):
   * closed orders then stay in their book until the walk sweeps it.
   */
  walking = false;

  /** `memory`: closed orders and fired OCO groups remembered at least. */
  constructor(memory: number) {
    this.past = new GenerationMap(2 * memory);
    this.firedOco = new GenerationMap(memory);
  }

  /** True for an open order or one that left (or was refused) lately: a resubmit. */
  knows(id: string): boolean {
    return this.live.has(id) || this.past.has(id);
  }

  isOpen(id: string): boolean {
    return this.live.has(id);
  }

  open(id: string): RestingOrder | undefined {
    return this.live.get(id);
  }

  /** An open or recently closed order, or undefined (unknown, or refused lately). */
  recent(id: string): RestingOrder | undefined {
    return this.live.get(id) ?? this.past.get(id) ?? undefined;
  }

  /** True when the venue refused `id` lately (or accepted and canceled it at once). */
  wasRefused(id: string): boolean {
    return this.past.get(id) === null;
  }

  /** Remembers a closed order the venue never held in this run (a bracket entry before a restart). */
  recall(o: RestingOrder): void {
    this.past.set(o.id, o);
  }

  /** Remembers an order the venue refused (or accepted and canceled at once) without resting it. */
  refused(id: string): void {
    this.past.set(id, null);
  }

  /** Open orders (including untriggered and not yet active ones) in acceptance order. */
  openOrders(symbol?: string): Order[] {
    return this.openOf(symbol).map((o) => o.order);
  }

  /** The open resting orders (of `symbol`, or all), copied: closing them changes the index. */
  openOf(symbol?: string): RestingOrder[] {
    const out: RestingOrder[] = [];
    for (const o of this.live.values()) if (symbol === undefined || o.symbol === symbol) out.push(o);
    return out;
  }

  find(symbol: string): SymbolBook | undefined {
    return symbol === this.lastBook?.symbol ? this.lastBook : this.books.get(symbol);
  }

  of(symbol: string): SymbolBook {
    // Bars come in runs of one symbol: the last book found saves a map lookup per bar.
    if (symbol === this.lastBook?.symbol) return this.lastBook;
    let book = this.books.get(symbol);
    if (book === undefined) {
      book = { symbol, orders: [], current: undefined, closePaths: undefined, hasClosed: false };
      this.books.set(symbol, book);
    }
    this.lastBook = book;
    return book;
  }

  /** Puts an accepted order on its symbol's book, under its parent and in its OCO group. */
  register(o: RestingOrder): void {
    this.live.set(o.id, o);
    this.of(o.symbol).orders.push(o);
    o.parent?.children.push(o);
    const group = o.order.request.ocoGroup;
    if (group !== undefined) {
      const members = this.ocoMembers.get(group);
      if (members === undefined) this.ocoMembers.set(group, [o]);
      else members.push(o);
    }
  }

  /**
   * Takes a finished order out of the open indexes into recent history. It stays in its
   * symbol's book, marked for the next sweep, which is returned (undefined for none).
   */
  remove(o: RestingOrder): SymbolBook | undefined {
    this.live.delete(o.id);
    this.past.set(o.id, o);
    const group = o.order.request.ocoGroup;
    if (group !== undefined) {
      const members = this.ocoMembers.get(group);
      const rest = members?.filter((m) => m !== o) ?? [];
      if (rest.length > 0) this.ocoMembers.set(group, rest);
      else this.ocoMembers.delete(group);
    }
    const book = this.find(o.symbol);
    if (book !== undefined) book.hasClosed = true;
    return book;
  }

  /** Drops closed orders from the book in place (never while a walk iterates it). */
  sweep(book: SymbolBook): void {
    if (!book.hasClosed) return;
    const orders = book.orders;
    let kept = 0;
    for (const o of orders) if (!o.closed) orders[kept++] = o;
    truncate(orders, kept);
    book.hasClosed = false;
  }

  hasFired(group: string): boolean {
    return this.firedOco.has(group);
  }

  /** Marks the group fired; returns its open members, copied (closing them changes the group). */
  fire(group: string): readonly RestingOrder[] {
    this.firedOco.set(group, true);
    const members = this.ocoMembers.get(group);
    return members === undefined ? NONE : [...members];
  }

  /** Forgets the orders that left the book and the OCO groups that fired (a finished backtest). */
  forgetClosed(): void {
    this.past.clear();
    this.firedOco.clear();
  }
}
