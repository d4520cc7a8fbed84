import type { Trade } from '../model/Bar.js';

/** A hole in a stream of consecutive trade ids: ids `fromId`…`toId` (inclusive) are missing. */
export interface TradeIdGap {
  readonly fromId: number;
  readonly toId: number;
  readonly missing: number;
}

/** Options of a TradeSequencer. */
export interface TradeSequencerOptions {
  /**
   * Trades held back behind a hole before the hole is given up on (default 100 000): a
   * bound on memory if the venue never supplies the missing trades.
   */
  readonly maxPending?: number;
}

/**
 * Puts the trades of one symbol back into venue order, for venues whose trade ids are
 * consecutive integers per symbol (Binance). Trades may arrive in any order, twice, or
 * not at all (a dropped WebSocket, a skipped message); `push` releases only the trades
 * whose every predecessor has been released, so what comes out is the exact venue
 * sequence, each trade once. A hole stays open — its trades held back — until the
 * missing ids are pushed (from a REST backfill) or `skipGap` gives up on it.
 *
 * Bars built from the released trades therefore equal the bars of an uninterrupted
 * stream whenever the backfill succeeds: nothing downstream ever sees a trade out of order.
 */
export class TradeSequencer {
  private next: number | undefined;
  private readonly pending = new Map<number, Trade>();
  private minPending = Infinity;
  private readonly maxPending: number;
  private dups = 0;
  private skipped = 0;

  constructor(
    readonly symbol: string,
    options: TradeSequencerOptions = {},
  ) {
    this.maxPending = options.maxPending ?? 100_000;
  }

  /**
   * Takes trades in any order; returns those now deliverable, in id order. Before the
   * first call to `startAt`, the lowest id of the first batch starts the sequence.
   * Throws when an id is not a non-negative integer (use time-ordered handling instead).
   */
  push(trades: readonly Trade[]): Trade[] {
    if (trades.length === 0) return [];
    if (this.next === undefined) {
      let lowest = Infinity;
      for (const t of trades) lowest = Math.min(lowest, tradeIdNumber(t));
      this.next = lowest;
    }
    const next = this.next;
    for (const t of trades) {
      const id = tradeIdNumber(t);
      if (id < next || this.pending.has(id)) {
        this.dups++;
        continue;
      }
      this.pending.set(id, t);
      if (id < this.minPending) this.minPending = id;
    }
    const out = this.drain();
    if (this.pending.size > this.maxPending) out.push(...this.skipGap());
    return out;
  }

  /** Starts (or restarts) the sequence at `id`: trades below it are treated as seen. */
  startAt(id: number): Trade[] {
    this.next = id;
    for (const k of [...this.pending.keys()]) {
      if (k < id) {
        this.pending.delete(k);
        this.dups++;
      }
    }
    this.recomputeMin();
    return this.drain();
  }

  /** The id expected next, or undefined before the first trade. */
  expectedId(): number | undefined {
    return this.next;
  }

  /** The first hole, if trades are held back behind one. */
  gap(): TradeIdGap | undefined {
    if (this.next === undefined || this.pending.size === 0) return undefined;
    return { fromId: this.next, toId: this.minPending - 1, missing: this.minPending - this.next };
  }

  /** Gives up on the first hole (the venue cannot supply it) and releases what waited behind it. */
  skipGap(): Trade[] {
    const g = this.gap();
    if (g === undefined) return [];
    this.skipped += g.missing;
    this.next = this.minPending;
    return this.drain();
  }

  /** Gives up on every hole: releases all trades held back, in id order (the sequence ends here). */
  releaseAll(): Trade[] {
    const out: Trade[] = [];
    while (this.pending.size > 0) out.push(...this.skipGap());
    return out;
  }

  /** Trades held back behind a hole. */
  pendingCount(): number {
    return this.pending.size;
  }

  /** Trades dropped because their id was already released or held. */
  duplicates(): number {
    return this.dups;
  }

  /** Ids given up on by `skipGap`. */
  skippedIds(): number {
    return this.skipped;
  }

  private drain(): Trade[] {
    const out: Trade[] = [];
    if (this.next === undefined) return out;
    for (;;) {
      const t = this.pending.get(this.next);
      if (t === undefined) break;
      this.pending.delete(this.next);
      out.push(t);
      this.next++;
    }
    if (out.length > 0) this.recomputeMin();
    return out;
  }

  private recomputeMin(): void {
    this.minPending = Infinity;
    for (const k of this.pending.keys()) if (k < this.minPending) this.minPending = k;
  }
}

/** The numeric id of a trade of a venue with consecutive integer ids. */
export function tradeIdNumber(t: Trade): number {
  const n = Number(t.id);
  if (!Number.isSafeInteger(n) || n < 0 || !/^\d+$/.test(t.id)) {
    throw new Error(`${t.symbol} trade id "${t.id}" is not a non-negative integer`);
  }
  return n;
}
