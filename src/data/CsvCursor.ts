import { QtsError } from '../core/QtsError.js';
import { DataErrorCode } from './DataErrorCode.js';
import { decimalToDouble } from './decimalToDouble.js';

// Powers of ten that are exact doubles: with a mantissa below 2^53, one multiply or divide by
// these is correctly rounded (Clinger's fast path), so the result equals Number(text).
const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22,
];
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NAN_TEXT = /^[+-]?nan$/i;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const LF = 10;
const CR = 13;
const COMMA = 44;
const QUOTE = 34;
const PLUS = 43;
const DASH = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const LOWER_E = 101;
const UPPER_E = 69;
const NULL_TEXT = [110, 117, 108, 108]; // "null"

/**
 * A forward-only reader of comma-separated numeric rows straight from a file's bytes. A
 * million candles is six million numbers, so it decodes them from the bytes — four digits
 * at a time where it can — with no per-row strings, arrays or regexes, and never decodes
 * the file into one huge string (that alone would add about half to the load). Anything
 * unusual (spaces, a bad token, a number it cannot prove it rounds like `Number(text)`)
 * drops to a slow path that either returns exactly `Number(text)` or throws ERR_DATA_PARSE
 * with `FILE:LINE:` and what was wrong.
 */
export class CsvCursor {
  /** 1-based line number of the current row. */
  line: number;
  /** Rows skipped by {@link skipNullRow}, and the line of the first. */
  nullRows = 0;
  firstNullLine = 0;
  private pos = 0;
  private lineStart = 0;
  private nextLineStart: number;
  private readonly view: DataView;

  /**
   * @param start byte offset of the first line to read (just after the header)
   * @param lineBefore line number of the line before `start` (the header's)
   * @param columns the names of a row's fields, for messages
   */
  constructor(
    private readonly bytes: Buffer,
    private readonly file: string,
    start: number,
    lineBefore: number,
    private readonly columns: readonly string[],
  ) {
    this.nextLineStart = start;
    this.line = lineBefore;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  }

  /** Moves to the next non-empty line; false at the end of the file. */
  nextLine(): boolean {
    const b = this.bytes;
    let p = this.nextLineStart;
    for (;;) {
      if (p >= b.length) return false;
      this.line++;
      const c = b[p];
      if (c === LF) p++;
      else if (c === CR && (p + 1 === b.length || b[p + 1] === LF)) p += 2;
      else break;
    }
    this.pos = p;
    this.lineStart = p;
    this.nextLineStart = p;
    return true;
  }

  /**
   * Reads fields `from` … last of the current row as finite numbers into `out` (same
   * indices); the last must end the row. One call per row, with the digit loop inside, as
   * a call per field would cost more than the parse of a short field.
   */
  numbers(out: Float64Array, from: number): void {
    const b = this.bytes;
    const view = this.view;
    const limit = b.length - 4;
    const last = this.columns.length - 1;
    let i = this.pos;
    for (let k = from; k <= last; k++) {
      const start = i;
      // [+-]digits[.digits][(e|E)[+-]digits], with no bounds check per byte: a number always
      // ends at a comma, \r, \n or the end of the buffer (where reads give undefined).
      let c = b[i] as number;
      let negative = false;
      if (c === DASH || c === PLUS) {
        negative = c === DASH;
        c = b[++i] as number;
      }
      const numberStart = i;
      // Leading zeros are not significant (0.00162008 has 6 significant digits).
      while (c === ZERO) c = b[++i] as number;
      // The first 15 significant digits go to `high` (exact below 2^53), up to 4 more to `low`.
      let high = 0;
      let low = 0;
      let significant = 0;
      let fractionStart = -1;
      for (;;) {
        // Four digits per step while `high` has room: test and convert four ASCII bytes at once.
        while (significant <= 11 && i <= limit) {
          const chunk = view.getUint32(i, true);
          if (((chunk & 0xf0f0f0f0) | (((chunk + 0x06060606) & 0xf0f0f0f0) >>> 4)) !== 0x33333333) break;
          const v = ((chunk - 0x30303030) * 10 + ((chunk - 0x30303030) >>> 8)) & 0x00ff00ff;
          high = high * 10_000 + ((v & 0xff) * 100 + (v >>> 16));
          significant += 4;
          i += 4;
        }
        c = b[i] as number;
        while (c >= ZERO && c <= NINE) {
          if (significant < 15) high = high * 10 + (c - ZERO);
          else if (significant < 19) low = low * 10 + (c - ZERO);
          significant++;
          c = b[++i] as number;
        }
        if (c !== DOT || fractionStart >= 0) break;
        c = b[++i] as number;
        fractionStart = i;
        if (significant === 0) {
          while (c === ZERO) c = b[++i] as number;
        }
      }
      let value = NaN;
      // Everything consumed is digits plus at most one dot; "." or "" is no number.
      if (i - numberStart - (fractionStart >= 0 ? 1 : 0) > 0) {
        const exponent = fractionStart >= 0 ? fractionStart - i : 0;
        if (c === LOWER_E || c === UPPER_E) {
          value = this.scanExponent(i, numberStart, high, low, significant, exponent);
          i = this.pos;
          c = b[i] as number;
        } else if (significant <= 15 && exponent >= -22) {
          value = exponent < 0 ? high / (POW10[-exponent] as number) : high;
        } else {
          value = this.longValue(high, low, significant, exponent, numberStart, i);
        }
        if (negative) value = -value;
      }
      if (value === value) {
        if (k < last) {
          if (c === COMMA) {
            out[k] = value;
            i++;
            continue;
          }
        } else if (c === LF || i === b.length) {
          out[k] = value;
          this.nextLineStart = i + 1;
          return;
        } else if (c === CR && (i + 1 === b.length || b[i + 1] === LF)) {
          out[k] = value;
          this.nextLineStart = i + 2;
          return;
        }
      }
      // Anything else: the slow path returns Number(text) for odd but valid spellings
      // (spaces around the number) and throws for the rest.
      out[k] = this.slowNumber(start, this.columns[k] as string, k === last);
      i = this.pos;
    }
  }

  /** Reads the next field as a YYYY-MM-DD date (quoted or not), returning UTC midnight in epoch ms. */
  date(column: string): number {
    const b = this.bytes;
    const i = this.pos;
    const q = b[i] === QUOTE && b[i + 11] === QUOTE ? 1 : 0;
    const s = i + q;
    if (b[s + 4] === DASH && b[s + 7] === DASH && b[s + 10 + q] === COMMA) {
      const y = this.digits(s, 4);
      const m = this.digits(s + 5, 2);
      const d = this.digits(s + 8, 2);
      if (y >= 0 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m)) {
        this.pos = s + 11 + q;
        return Date.UTC(y, m - 1, d);
      }
    }
    const end = this.fieldEnd(i, false);
    return this.fail(`bad ${column} "${this.text(i, end)}" (expected YYYY-MM-DD)`);
  }

  /**
   * Skips the rest of the row when it is `fields` fields of `null`, Yahoo's row for a day it
   * has no prices for: true (and counted) when skipped, false with nothing read otherwise.
   */
  skipNullRow(fields: number): boolean {
    const end = nullFieldsEnd(this.bytes, this.pos, fields);
    if (end < 0) return false;
    this.nextLineStart = end + 1;
    if (this.nullRows++ === 0) this.firstNullLine = this.line;
    return true;
  }

  /** Throws ERR_DATA_PARSE for the current row. */
  fail(what: string): never {
    throw new QtsError(DataErrorCode.Parse, `${this.file}:${this.line}: ${what}`, {
      file: this.file,
      line: this.line,
    });
  }

  // The exponent part of a number whose mantissa ends at i (on the e or E); leaves
  // this.pos after it. NaN when no exponent digits follow.
  private scanExponent(
    i: number,
    numberStart: number,
    high: number,
    low: number,
    significant: number,
    exponent: number,
  ): number {
    const b = this.bytes;
    let c = b[++i] as number;
    let expNegative = false;
    if (c === DASH || c === PLUS) {
      expNegative = c === DASH;
      c = b[++i] as number;
    }
    const expStart = i;
    let e = 0;
    while (c >= ZERO && c <= NINE) {
      if (e < 100_000) e = e * 10 + (c - ZERO);
      c = b[++i] as number;
    }
    this.pos = i;
    if (i === expStart) return NaN;
    const exp10 = exponent + (expNegative ? -e : e);
    return significant <= 15 && exp10 >= -22 && exp10 <= 22
      ? exp10 < 0
        ? high / (POW10[-exp10] as number)
        : high * (POW10[exp10] as number)
      : this.longValue(high, low, significant, exp10, numberStart, i);
  }

  // A mantissa of more than 15 digits, or a far exponent. NaN when not a finite number.
  private longValue(
    high: number,
    low: number,
    significant: number,
    exp10: number,
    start: number,
    end: number,
  ): number {
    if (significant === 0) return 0;
    let value = significant <= 19 ? decimalToDouble(high, low, significant - 15, exp10) : NaN;
    // Rarely (a near-tie, a huge exponent, 20+ digits) only the engine's own conversion is
    // provably right; the text is already known to be a plain decimal.
    if (value !== value) value = Number(this.text(start, end));
    // 1e999 is a valid decimal but no price: let the slow path report it out of range.
    return value === Infinity ? NaN : value;
  }

  private slowNumber(start: number, column: string, last: boolean): number {
    const end = this.fieldEnd(start, last);
    const raw = this.text(start, end);
    // A quoted field ("10.5", as spreadsheets and R write every field) is its content.
    const t = unquoted(raw.trim()).trim();
    if (t === '') return this.fail(`empty ${column}`);
    if (NAN_TEXT.test(t)) return this.fail(`${column} is NaN`);
    if (!DECIMAL.test(t)) return this.fail(`${column} "${raw}" is not a number`);
    const value = Number(t);
    if (!Number.isFinite(value)) return this.fail(`${column} "${raw}" is out of range`);
    if (last) this.nextLineStart = this.lineEnd() + 1;
    else this.pos = end + 1;
    return value;
  }

  // End of the field starting at `start`, failing with a column count when the row has too
  // few fields (no comma before the `last` one) or too many (a comma after it).
  private fieldEnd(start: number, last: boolean): number {
    const lineEnd = this.lineEnd();
    const comma = this.bytes.indexOf(COMMA, start);
    const hasComma = comma >= 0 && comma < lineEnd;
    if (hasComma === last) {
      const got = this.text(this.lineStart, lineEnd).split(',').length;
      return this.fail(`expected ${this.columns.length} columns, got ${got}`);
    }
    return hasComma ? comma : lineEnd;
  }

  // Offset of the current line's \n (or the end of the file); fields end before a \r there.
  private lineEnd(): number {
    const nl = this.bytes.indexOf(LF, this.lineStart);
    return nl < 0 ? this.bytes.length : nl;
  }

  private text(start: number, end: number): string {
    const stop = end > start && this.bytes[end - 1] === CR ? end - 1 : end;
    return this.bytes.toString('utf8', start, stop);
  }

  private digits(i: number, count: number): number {
    let v = 0;
    for (let k = 0; k < count; k++) {
      const c = this.bytes[i + k] as number;
      if (!(c >= ZERO && c <= NINE)) return -1;
      v = v * 10 + (c - ZERO);
    }
    return v;
  }
}

/**
 * When the bytes from `i` are `fields` comma-separated `null`s ending the line: the offset of
 * the line's \n (or the end of the buffer); else -1.
 */
export function nullFieldsEnd(b: Buffer, i: number, fields: number): number {
  for (let k = 0; k < fields; k++) {
    if (k > 0 && b[i++] !== COMMA) return -1;
    for (const c of NULL_TEXT) if (b[i++] !== c) return -1;
  }
  if (b[i] === CR) i++;
  return i === b.length || b[i] === LF ? i : -1;
}

function unquoted(text: string): string {
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text;
}

function daysInMonth(y: number, m: number): number {
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return m === 2 && leap ? 29 : (DAYS_IN_MONTH[m - 1] as number);
}
