/**
 * Identifier helpers. Client order ids are made before any network call and must fit
 * every exchange's format (Binance: ≤36 chars of [.A-Z:/a-z0-9_-]; OKX: ≤32 alphanumerics),
 * so they use only letters and digits and stay ≤ 32 characters.
 */
export type ClientOrderId = string;

/** Sequence digits of an id, zero-padded. */
const ID_DIGITS = 6;

/** A deterministic id source: backtests must produce the same ids on every run. */
export class IdGenerator {
  private seq = 0;
  /** prefix + k zeros, k = 0..6: an id is one concatenation (ids are made several times per order). */
  private readonly padded: readonly string[];
  constructor(private readonly prefix: string) {
    if (!/^[A-Za-z0-9]{1,12}$/.test(prefix))
      throw new Error(`id prefix must be 1-12 alphanumerics: ${prefix}`);
    this.padded = Array.from({ length: ID_DIGITS + 1 }, (_, k) => prefix + '0'.repeat(k));
  }
  /** Next id: prefix + base-36 sequence, e.g. "Q1a2b" + "000001". */
  next(): string {
    this.seq += 1;
    const digits = this.seq.toString(36);
    return digits.length >= ID_DIGITS
      ? this.prefix + digits
      : (this.padded[ID_DIGITS - digits.length] as string) + digits;
  }
  /** Resume numbering after ids already used (restart from persisted state). */
  resumeAfter(count: number): void {
    this.seq = Math.max(this.seq, count);
  }
}
