/**
 * Identifier helpers. Client order ids are made before any network call and must fit
 * every exchange's format (Binance: ≤36 chars of [.A-Z:/a-z0-9_-]; OKX: ≤32 alphanumerics),
 * so they use only letters and digits and stay ≤ 32 characters.
 */
export type ClientOrderId = string;

/** Sequence digits of an id, zero-padded. */
const ID_DIGITS = 6;

/** The prefix of every order id the OMS makes ("Q000001"); the exchange's client id adds the run's. */
export const ORDER_ID_PREFIX = 'Q';

/** Every two-digit base-36 string, "00" to "zz": the low two digits of an id. */
const PAIRS: readonly string[] = Array.from({ length: 36 * 36 }, (_, k) => k.toString(36).padStart(2, '0'));
/** Sequences below this have at most ID_DIGITS base-36 digits (and are padded to that many). */
const PADDED_LIMIT = 36 ** ID_DIGITS;

/** A deterministic id source: backtests must produce the same ids on every run. */
export class IdGenerator {
  private seq = 0;
  /** prefix + k zeros, k = 0..6: an id is one concatenation (ids are made several times per order). */
  private readonly padded: readonly string[];
  /**
   * The id's text but its last two digits, for sequence numbers of one block of 36²: the
   * number-to-text conversion in base 36 is a call into the runtime, made once a block
   * instead of once an id (orders make several ids each).
   */
  private block = -1;
  private blockText = '';
  /** Sequences up to here may be handed out without asking `extend` (see `bound`). */
  private limit = Infinity;
  private extend: ((seq: number) => number) | undefined;
  constructor(private readonly prefix: string) {
    if (!/^[A-Za-z0-9]{1,12}$/.test(prefix))
      throw new Error(`id prefix must be 1-12 alphanumerics: ${prefix}`);
    this.padded = Array.from({ length: ID_DIGITS + 1 }, (_, k) => prefix + '0'.repeat(k));
  }
  /** Next id: prefix + base-36 sequence, e.g. "Q1a2b" + "000001". */
  next(): string {
    const seq = (this.seq += 1);
    if (seq > this.limit) this.raiseLimit(seq);
    if (seq >= PADDED_LIMIT) return this.prefix + seq.toString(36);
    const block = Math.floor(seq / PAIRS.length);
    if (block !== this.block) {
      const high = block.toString(36);
      this.block = block;
      this.blockText = (this.padded[ID_DIGITS - 2 - high.length] as string) + high;
    }
    return this.blockText + (PAIRS[seq - block * PAIRS.length] as string);
  }
  /** Resume numbering after ids already used (restart from persisted state). */
  resumeAfter(count: number): void {
    this.seq = Math.max(this.seq, count);
  }
  /**
   * Hands out sequences up to `limit` only; the first id beyond asks `extend(seq)` for a new
   * limit (≥ seq) first — a durable reservation, so a restart that lost the journal's last
   * orders never numbers an id twice (OrderIdReservations). What `extend` throws is thrown by
   * `next`, and that sequence is skipped.
   */
  bound(limit: number, extend: (seq: number) => number): void {
    this.limit = limit;
    this.extend = extend;
  }
  private raiseLimit(seq: number): void {
    const limit = this.extend === undefined ? Infinity : this.extend(seq);
    if (!(limit >= seq)) throw new Error(`id reservation of ${this.prefix} ended at ${limit}, before ${seq}`);
    this.limit = limit;
  }
}

/**
 * Whether `id` is one `new IdGenerator(prefix)` can make: the prefix, then the base-36
 * sequence (lowercase), padded to exactly 6 digits, or 7 and more without a leading zero once
 * the sequence outgrows the padding. Exact, so an id someone else chose that merely starts
 * with the prefix ("Q1", "QManual", "Q0000001") is not taken for one of ours.
 */
export function isGeneratedId(prefix: string, id: string): boolean {
  if (!id.startsWith(prefix)) return false;
  const seq = id.slice(prefix.length);
  return seq.length === ID_DIGITS ? BASE36.test(seq) : seq.length > ID_DIGITS && UNPADDED.test(seq);
}

const BASE36 = /^[0-9a-z]+$/;
const UNPADDED = /^[1-9a-z][0-9a-z]*$/;
