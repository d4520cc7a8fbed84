import { createHash } from 'node:crypto';
import type { Fixed } from '../core/Fixed.js';
import { writeFixed } from '../core/Fixed.js';
import { LastTwo } from '../core/LastTwo.js';
import type { OrderFilled } from '../model/events.js';

const NEWLINE = 10;
const COMMA = 44;
const ZERO = 48;
/** Timestamps are written as two integer halves of at most 8 digits: exact int32 arithmetic. */
const HALF = 1e8;
const ENCODER = new TextEncoder();
const utf8 = (text: string): Uint8Array => ENCODER.encode(text);

/**
 * The trade log of a run: one line per fill, exact amounts, the text two runs must agree on
 * byte for byte (`ts,orderId,tradeId,symbol,side,qty,price,fee,feeCurrency\n`).
 *
 * Written as UTF-8 bytes straight into one growing buffer rather than built as text: a line
 * of nine pieces made as strings is nine string objects, a copy when the text is flattened
 * and another when it is encoded for the hash. The hash is taken over the bytes, and the text
 * is only decoded if someone reads it (an optimizer reads the report, never the log).
 */
export class TradeLog {
  private bytes: Uint8Array;
  private length = 0;
  private text: string | undefined;
  // Where the last two amounts written start in this log, and their length: a long/flat
  // strategy sells exactly what it bought, and most fees repeat (zero, or one rate on one
  // size), so a repeat is a copy of bytes already written.
  private lastA: Fixed | undefined;
  private lastAAt = 0;
  private lastALength = 0;
  private lastB: Fixed | undefined;
  private lastBAt = 0;
  private lastBLength = 0;
  // Symbol, side and fee currency repeat from line to line: their bytes are kept. Copying
  // bytes is one loop over one kind of array, where the characters of strings of several
  // internal kinds (flat, concatenated, sliced) are each read through a slower generic path.
  private readonly symbol = new LastTwo(utf8);
  private readonly side = new LastTwo(utf8);
  private readonly feeCurrency = new LastTwo(utf8);

  constructor(fills: readonly OrderFilled[]) {
    // Sized for lines of ~80 bytes: an optimizer's worker makes thousands of small logs, and
    // a large buffer each time (memory outside the heap) would bring on collections.
    // (Buffer.allocUnsafe: small ones are slices of Node's shared pool, not buffers of their own;
    // only the bytes written are ever read.)
    this.bytes = Buffer.allocUnsafe(fills.length * 96 + 256);
    this.lines(fills);
  }

  // The loop lives outside the constructor: V8 compiled it on stack (the constructor runs
  // once per run) and dropped that code at the next run's first property store, so every
  // log was written partly by the interpreter.
  private lines(fills: readonly OrderFilled[]): void {
    for (let k = 0; k < fills.length; k++) this.line(fills[k] as OrderFilled);
  }

  /** Hex SHA-256 of the log's UTF-8 bytes. */
  sha256(): string {
    return createHash('sha256').update(this.bytes.subarray(0, this.length)).digest('hex');
  }

  /** The log as text (decoded once, on first use). */
  toString(): string {
    this.text ??= Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.length).toString('utf8');
    return this.text;
  }

  private line(e: OrderFilled): void {
    // Every piece but the strings' non-ASCII tail fits in this bound; strings check their own.
    this.reserve(160);
    this.timestamp(e.ts);
    this.byte(COMMA);
    this.string(e.orderId);
    this.byte(COMMA);
    this.string(e.tradeId);
    this.byte(COMMA);
    this.bytesOf(this.symbol.of(e.symbol));
    this.byte(COMMA);
    this.bytesOf(this.side.of(e.side));
    this.byte(COMMA);
    this.amount(e.lastQty);
    this.byte(COMMA);
    this.decimal(e.lastPx);
    this.byte(COMMA);
    this.amount(e.fee);
    this.byte(COMMA);
    this.bytesOf(this.feeCurrency.of(e.feeCurrency));
    this.byte(NEWLINE);
  }

  private amount(x: Fixed): void {
    if (x === this.lastA) this.copy(this.bytes, this.lastAAt, this.lastALength);
    else if (x === this.lastB) this.copy(this.bytes, this.lastBAt, this.lastBLength);
    else {
      const at = this.length;
      this.decimal(x);
      this.lastB = this.lastA;
      this.lastBAt = this.lastAAt;
      this.lastBLength = this.lastALength;
      this.lastA = x;
      this.lastAAt = at;
      this.lastALength = this.length - at;
    }
  }

  /** An amount as formatFixed writes it; prices rarely repeat. */
  private decimal(x: Fixed): void {
    let end = writeFixed(x, this.bytes, this.length);
    if (end < 0) {
      this.reserve(String(x).length + 24);
      end = writeFixed(x, this.bytes, this.length);
    }
    this.length = end;
  }

  private bytesOf(bytes: Uint8Array): void {
    this.copy(bytes, 0, bytes.length);
  }

  /** Writes `n` bytes of `src` from `from` (the log itself, for an amount written before). */
  private copy(src: Uint8Array, from: number, n: number): void {
    this.reserve(n + 32);
    // After a growth `src` may be the old buffer: it still holds the same bytes.
    const b = this.bytes;
    let at = this.length;
    for (let i = 0; i < n; i++) b[at++] = src[from + i] as number;
    this.length = at;
  }

  /** A millisecond timestamp as String(ts) writes it. */
  private timestamp(ts: number): void {
    if (!(ts >= 0 && ts < HALF * HALF && Number.isInteger(ts))) {
      this.string(String(ts));
      return;
    }
    const high = Math.floor(ts / HALF);
    const low = ts - high * HALF;
    if (high > 0) {
      this.digits(high, 0);
      this.digits(low, 8);
    } else this.digits(low, 0);
  }

  /** A non-negative integer below 1e8, left-padded with zeros to `width` digits. */
  private digits(value: number, width: number): void {
    let v = value | 0;
    let n = 1;
    for (let x = v; x >= 10; x = (x / 10) | 0) n++;
    if (n < width) n = width;
    const b = this.bytes;
    let at = this.length + n;
    this.length = at;
    for (let k = 0; k < n; k++) {
      const q = (v / 10) | 0;
      b[--at] = ZERO + v - q * 10;
      v = q;
    }
  }

  private byte(c: number): void {
    this.bytes[this.length++] = c;
  }

  private string(s: string): void {
    const n = s.length;
    // Slack for the separator that follows.
    this.reserve(n + 32);
    const b = this.bytes;
    let at = this.length;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.length = at;
        this.utf8(s.slice(i));
        return;
      }
      b[at++] = c;
    }
    this.length = at;
  }

  /** The rest of a string that is not ASCII: at most 3 bytes per UTF-16 unit. */
  private utf8(s: string): void {
    this.reserve(s.length * 3 + 160);
    const { written } = ENCODER.encodeInto(s, this.bytes.subarray(this.length));
    this.length += written;
  }

  private reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + n) size *= 2;
    const bigger = Buffer.allocUnsafe(size);
    bigger.set(this.bytes.subarray(0, this.length));
    this.bytes = bigger;
  }
}
