/**
 * A synthetic order book that follows the replayed trades, so depth snapshots and diff
 * streams exist for markets recorded as trades only. The book after the c-th trade is a pure
 * function of that trade: the traded price is the best level on the maker's side (a sell hits
 * the bid, a buy lifts the ask), the opposite best is one tick away, `levels` price levels per
 * side, each with a quantity that depends only on its price, except the traded level, which
 * varies with the trade id so every trade changes the book.
 *
 * Update ids: the book after c trades has lastUpdateId = FIRST_UPDATE_ID + c, and the diff
 * event of trade c carries U = u = that id. A REST snapshot and the diff stream therefore
 * agree exactly the way Binance's spot sync recipe expects (first event U <= id+1 <= u, then
 * U = previous u + 1). Spot diffs carry no `pu` (that field is futures-only).
 * https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams#how-to-manage-a-local-order-book-correctly
 */
import type { TradeTape } from './TradeTape.js';

/** The lastUpdateId of the book before any trade was replayed. */
export const FIRST_UPDATE_ID = 1_000_000;

/** [price, quantity] as Binance sends it. */
export type DepthLevel = [string, string];

/** One side of the book: price index (price / tick) → quantity in lots. */
type Side = Map<number, number>;

/** Bids best first (descending) and asks best first (ascending), as strings. */
export interface DepthSnapshot {
  readonly lastUpdateId: number;
  readonly bids: DepthLevel[];
  readonly asks: DepthLevel[];
}

/** The changes between two consecutive books (quantity "0.00000000" = level removed). */
export interface DepthDiff {
  readonly updateId: number;
  readonly bids: DepthLevel[];
  readonly asks: DepthLevel[];
}

/** The book of one market as a function of the replay cursor. */
export class SyntheticBook {
  private readonly tick: number;
  private readonly lot: number;
  /** Typical trade size in lots: the unit of the book's quantities. */
  private readonly unitLots: number;

  constructor(
    private readonly tape: TradeTape,
    tickSize: string,
    lotSize: string,
    private readonly levels: number,
  ) {
    this.tick = Number(tickSize);
    this.lot = Number(lotSize);
    const sample = Array.from(tape.amount.subarray(0, 1001)).sort((a, b) => a - b);
    const median = sample[sample.length >> 1] ?? this.lot;
    this.unitLots = Math.max(1, Math.round(median / this.lot));
  }

  /** lastUpdateId of the book after `cursor` trades. */
  updateId(cursor: number): number {
    return FIRST_UPDATE_ID + cursor;
  }

  /** The book after `cursor` trades, `limit` levels per side. */
  snapshot(cursor: number, limit = this.levels): DepthSnapshot {
    const { bids, asks } = this.sides(cursor);
    return {
      lastUpdateId: this.updateId(cursor),
      bids: [...bids].slice(0, limit).map(([p, q]) => this.level(p, q)),
      asks: [...asks].slice(0, limit).map(([p, q]) => this.level(p, q)),
    };
  }

  /** What trade number `cursor` (1-based: the book goes from cursor-1 to cursor) changed. */
  diff(cursor: number): DepthDiff {
    const before = this.sides(cursor - 1);
    const after = this.sides(cursor);
    return {
      updateId: this.updateId(cursor),
      bids: this.changes(before.bids, after.bids),
      asks: this.changes(before.asks, after.asks),
    };
  }

  private changes(before: Side, after: Side): DepthLevel[] {
    const out: DepthLevel[] = [];
    for (const [p, q] of after) if (before.get(p) !== q) out.push(this.level(p, q));
    for (const p of before.keys()) if (!after.has(p)) out.push(this.level(p, 0));
    return out;
  }

  private sides(cursor: number): { bids: Side; asks: Side } {
    // Before the first replayed trade the book sits around that trade's price, untouched.
    const i = cursor > 0 ? cursor - 1 : 0;
    const traded = Math.round((this.tape.price[i] as number) / this.tick);
    const takerSold = this.tape.buy[i] === 0;
    const bestBid = takerSold ? traded : traded - 1;
    const bestAsk = takerSold ? traded + 1 : traded;
    const touched = cursor > 0 ? traded : Number.NaN;
    const bump = cursor > 0 ? 1 + ((this.tape.id[i] as number) % 5) : 0;
    const bids: Side = new Map();
    const asks: Side = new Map();
    for (let k = 0; k < this.levels; k++) {
      const b = bestBid - k;
      if (b > 0) bids.set(b, this.quantity(b) + (b === touched ? bump * this.unitLots : 0));
      const a = bestAsk + k;
      asks.set(a, this.quantity(a) + (a === touched ? bump * this.unitLots : 0));
    }
    return { bids, asks };
  }

  /** Resting lots at a price index: 1..20 units, fixed per price. */
  private quantity(priceIndex: number): number {
    return this.unitLots * (1 + (mix(priceIndex) % 20));
  }

  private level(priceIndex: number, lots: number): DepthLevel {
    return [(priceIndex * this.tick).toFixed(8), (lots * this.lot).toFixed(8)];
  }
}

/** A deterministic integer hash of a (possibly > 2^32) non-negative integer. */
function mix(x: number): number {
  let h = Math.imul((x % 0x1_0000_0000) ^ Math.floor(x / 0x1_0000_0000), 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}
