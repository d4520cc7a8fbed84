import { QtsError } from './QtsError.js';
import { shortestFixed } from './shortestFixed.js';
import { HIGH_HALF, LOW_HALF } from './wordHalves.js';

/**
 * An exact decimal: a bigint counting units of 10^-16. Money, quantities and prices in
 * the ledger and in orders are Fixed, so a million fills of 0.1 sum to exactly 100000 and
 * cash plus positions reconcile to the last unit. Market data stays float64; it becomes
 * Fixed only where it touches money (an order price, a fill, a mark).
 */
export type Fixed = bigint & { readonly __fixed: unique symbol };

/** Decimal places carried by every Fixed. */
export const FIXED_DIGITS = 16;
const SCALE = 10n ** BigInt(FIXED_DIGITS);
const MINUS_SCALE = -SCALE;

export const ZERO = 0n as Fixed;
export const ONE = SCALE as Fixed;

/** Input accepted wherever the user gives an amount: numbers go through their shortest decimal form. */
export type Numeric = Fixed | number | string;

const DECIMAL_RE = /^([+-])?(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i;
/** Powers of ten a parsed amount may reach in units of 10^-16: 10^1000 is past any amount. */
const MAX_EXPONENT = 1000 + FIXED_DIGITS;

/** Parses a decimal string ("0.1", "-12.5e-3") exactly; more than 16 decimals round half-even. */
export function parseFixed(text: string): Fixed {
  const plain = parsePlainDecimal(text);
  if (plain !== undefined) return plain;
  const m = DECIMAL_RE.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) {
    throw new QtsError('ERR_INVALID_DECIMAL', `not a decimal number: ${JSON.stringify(text)}`);
  }
  const sign = m[1] === '-' ? -1n : 1n;
  let digits = (m[2] ?? '') + (m[3] ?? '');
  let exp = Number(m[4] ?? '0') - (m[3] ?? '').length + FIXED_DIGITS;
  if (digits === '') digits = '0';
  // An exponent far past any amount ("1e999999999") would build a power of ten of millions
  // of digits, hanging the process: refused above, and a number below half a unit is 0.
  if (exp > MAX_EXPONENT && /[1-9]/.test(digits))
    throw new QtsError('ERR_INVALID_DECIMAL', `out of range: ${JSON.stringify(text)}`);
  if (exp > MAX_EXPONENT || -exp > digits.length) return ZERO;
  if (exp >= 0) return (sign * BigInt(digits) * 10n ** BigInt(exp)) as Fixed;
  // Fewer than zero places left: divide with half-even rounding.
  exp = -exp;
  const value = BigInt(digits);
  return (sign * roundDiv(value, 10n ** BigInt(exp))) as Fixed;
}

/**
 * Fast path for the common "-123.456" form with at most 16 decimals: one BigInt of the
 * digits, no regex. Anything else (exponents, signs, spaces, rounding) returns undefined.
 */
function parsePlainDecimal(text: string): Fixed | undefined {
  const n = text.length;
  const i = text.charCodeAt(0) === 45 ? 1 : 0;
  let dot = -1;
  if (i >= n) return undefined;
  for (let k = i; k < n; k++) {
    const c = text.charCodeAt(k);
    if (c === 46 && dot < 0) dot = k;
    else if (c < 48 || c > 57) return undefined;
  }
  const decimals = dot < 0 ? 0 : n - dot - 1;
  if (decimals > FIXED_DIGITS || dot === i || n - i - (dot < 0 ? 0 : 1) === 0) return undefined;
  const digits = dot < 0 ? text.slice(i) : text.slice(i, dot) + text.slice(dot + 1);
  const value = BigInt(digits) * POW10[FIXED_DIGITS - decimals]!;
  return (i === 1 ? -value : value) as Fixed;
}

const POW10: readonly bigint[] = Array.from({ length: FIXED_DIGITS + 1 }, (_, k) => 10n ** BigInt(k));

/**
 * The last conversion, reused: within a bar the engine converts the same close several
 * times (sizing, risk, the venue's arrival check, the fill), and the shortest-decimal path
 * costs a float-to-text round trip. Bigints are immutable, so sharing the result is safe.
 */
let lastNumber = Number.NaN;
let lastFixed: Fixed = 0n as Fixed;

/** Converts a finite float through its shortest round-trip decimal (0.1 → exactly 0.1). */
export function fromNumber(x: number): Fixed {
  // NaN never equals itself, so a non-finite input always reaches the check below.
  if (x === lastNumber) return lastFixed;
  const f = convertNumber(x);
  lastNumber = x;
  lastFixed = f;
  return f;
}

function convertNumber(x: number): Fixed {
  if (!Number.isFinite(x)) throw new QtsError('ERR_INVALID_DECIMAL', `not a finite number: ${x}`);
  if (Number.isInteger(x) && Math.abs(x) <= Number.MAX_SAFE_INTEGER) return (BigInt(x) * SCALE) as Fixed;
  // Prices with ≤ 8 decimals (nearly all exchange prices) skip the string round trip. Below
  // 4e7 one float unit is smaller than 1e-8, so the only 8-decimal number rounding to x is
  // its shortest decimal form: the result is the same as parsing String(x).
  if (Math.abs(x) < 4e7) {
    const m = Math.round(x * 1e8);
    if (m / 1e8 === x) return (BigInt(m) * 100_000_000n) as Fixed;
  }
  return (shortestFixed(x) as Fixed | undefined) ?? parseFixed(String(x));
}

/** Any Numeric to Fixed; bigint input is taken as already Fixed. */
export function toFixed(x: Numeric): Fixed {
  if (typeof x === 'bigint') return x;
  if (typeof x === 'number') return fromNumber(x);
  return parseFixed(x);
}

/**
 * A float for statistics and charts only (never feed it back into the ledger). Above one
 * unit it is the nearest double or its neighbour (whole and fraction are rounded apart:
 * 1.997 → 1.9969999999999999); amounts sent to an exchange go through their decimal text.
 */
export function toNumber(x: Fixed): number {
  // Below one whole unit the whole part is 0 and the sum below is Number(x) / 1e16 as it
  // stands: the same double, without two bigint divisions (zero fees, flat positions).
  if (x < SCALE && x > MINUS_SCALE) return Number(x) / 1e16;
  if (x < TWO_64 && x > MINUS_TWO_64) return x < 0n ? -wordToNumber(0n - x) : wordToNumber(x);
  const whole = x / SCALE;
  const frac = x % SCALE;
  return Number(whole) + Number(frac) / 1e16;
}

const TWO_64 = 1n << 64n;
const MINUS_TWO_64 = -TWO_64;
/** 5^16: SCALE = 5^16 · 2^16, and 5^16 · q stays exact in a double for any q below 2^14. */
const FIVE_16 = 152_587_890_625;
const WORD = new BigUint64Array(1);
const HALVES = new Uint32Array(WORD.buffer);

/**
 * toNumber's formula, Number(whole) + Number(frac) / 1e16, for 1e16 ≤ x < 2^64 with no
 * bigint division: prices and quantities are amounts of this size, the engine converts
 * several per order, and two divisions of a bigint cost more than the rest of it together.
 * x is read as two 32-bit halves; the whole part is estimated in doubles and corrected
 * with an exact remainder, so whole and frac are the integers the divisions give, and each
 * is rounded to a double exactly once, as there.
 */
function wordToNumber(x: bigint): number {
  WORD[0] = x;
  const lo = HALVES[LOW_HALF] as number;
  const hi = HALVES[HIGH_HALF] as number;
  // At most one too large, never too small: x as a double is within 2^11 of x, and rounding
  // is monotonic, so it never falls below a multiple of 1e16 (an exact double) that x reaches.
  let whole = Math.floor((hi * 4294967296 + lo) / 1e16);
  // frac = x − whole·1e16 = u·2^16 + (lo mod 2^16), u = hi·2^16 + ⌊lo / 2^16⌋ − whole·5^16, all
  // exact integers below 2^53; frac < 0 exactly when u < 0.
  let u = hi * 65536 + (lo >>> 16) - whole * FIVE_16;
  if (u < 0) {
    whole -= 1;
    u += FIVE_16;
  }
  // One rounding, of the exact frac, as Number(frac) does.
  const frac = u * 65536 + (lo & 0xffff);
  return whole + frac / 1e16;
}

const LEADING_ZEROS = '0'.repeat(FIXED_DIGITS);

/** Plain decimal text without trailing zeros ("100000", "0.1", "-0.0025"). */
export function formatFixed(x: Fixed): string {
  const negative = x < 0n;
  // One bigint-to-text conversion, then the point is placed by slicing (a trade log formats
  // three amounts per fill; dividing out the whole part costs more bigint work).
  const digits = (negative ? 0n - x : x).toString();
  const point = digits.length - FIXED_DIGITS;
  const end = significantEnd(digits, point);
  let text: string;
  if (point > 0)
    text = end > point ? `${digits.slice(0, point)}.${digits.slice(point, end)}` : digits.slice(0, point);
  else text = end > 0 ? `0.${LEADING_ZEROS.slice(0, -point)}${digits.slice(0, end)}` : '0';
  return negative ? `-${text}` : text;
}

/**
 * formatFixed's text as ASCII bytes written into `out` from `at`, without the slices and
 * concatenations of a string (a trade log writes every fill's price): returns the offset after
 * it, or −1, with nothing written, when `out` has no room for it.
 */
export function writeFixed(x: Fixed, out: Uint8Array, at: number): number {
  const negative = x < 0n;
  const digits = (negative ? 0n - x : x).toString();
  const n = digits.length;
  const point = n - FIXED_DIGITS;
  const end = significantEnd(digits, point);
  // Sign, "0." and the zeros after the point at most, around the digits.
  if (at + n + FIXED_DIGITS + 3 > out.length) return -1;
  if (negative) out[at++] = MINUS;
  if (point > 0) {
    for (let i = 0; i < point; i++) out[at++] = digits.charCodeAt(i);
    if (end > point) {
      out[at++] = DOT;
      for (let i = point; i < end; i++) out[at++] = digits.charCodeAt(i);
    }
  } else if (end > 0) {
    out[at++] = DIGIT_ZERO;
    out[at++] = DOT;
    for (let i = point; i < 0; i++) out[at++] = DIGIT_ZERO;
    for (let i = 0; i < end; i++) out[at++] = digits.charCodeAt(i);
  } else out[at++] = DIGIT_ZERO;
  return at;
}

const MINUS = 45;
const DOT = 46;
const DIGIT_ZERO = 48;

/** Where the digits of an amount end once the zeros that trail its point are dropped. */
function significantEnd(digits: string, point: number): number {
  let end = digits.length;
  while (end > 0 && end > point && digits.charCodeAt(end - 1) === DIGIT_ZERO) end--;
  return end;
}

/** Integer division rounding half to even (banker's rounding, no drift over many roundings). */
function roundDiv(n: bigint, d: bigint): bigint {
  let q = n / d;
  const r = n % d;
  // Most products of order amounts are exact at 16 places: no rounding to decide.
  if (r === 0n) return q;
  const twice = (r < 0n ? -r : r) * 2n;
  const ad = d < 0n ? -d : d;
  if (twice > ad || (twice === ad && q % 2n !== 0n)) q += n < 0n !== d < 0n ? -1n : 1n;
  return q;
}

// Adding zero returns the operand itself: a bigint sum is a new heap object every time, and
// the ledger adds zero often (no fee, nothing realized, nothing to release).
export function add(a: Fixed, b: Fixed): Fixed {
  if (b === 0n) return a;
  if (a === 0n) return b;
  return (a + b) as Fixed;
}
export function sub(a: Fixed, b: Fixed): Fixed {
  if (b === 0n) return a;
  return (a - b) as Fixed;
}
export function neg(a: Fixed): Fixed {
  return (0n - a) as Fixed;
}
export function abs(a: Fixed): Fixed {
  return (a < 0n ? 0n - a : a) as Fixed;
}
const HALF_UNIT = SCALE / 2n;
const MINUS_HALF_UNIT = -HALF_UNIT;

/** a × b, rounded half-even to 16 places. */
export function mul(a: Fixed, b: Fixed): Fixed {
  // roundDiv specialised to the positive, even SCALE: the remainder is compared with half a
  // unit directly (no absolute value, no doubling). Orders, fills and the ledger multiply
  // dozens of times per order, so every bigint allocation saved here counts.
  // A zero factor (a fee rate of 0, an empty position) needs no 128-bit product.
  if (a === 0n || b === 0n) return ZERO;
  // A factor of exactly one (a fee factor 1 + 0, a whole unit) gives the other one back:
  // a × SCALE ÷ SCALE has no remainder to round, and the two products remembered below stay.
  if (b === ONE) return a;
  if (a === ONE) return b;
  // An order's notional is asked for again and again (risk, the venue's funds check, the
  // fill, the order's average price, the ledger), taking turns with its fee (the notional
  // times the fee rate): the last two products are remembered, as fromNumber remembers its
  // last conversion.
  if (a === lastMulA && b === lastMulB) return lastMulProduct;
  if (a === olderMulA && b === olderMulB) return olderMulProduct;
  const product = mulExact(a, b);
  olderMulA = lastMulA;
  olderMulB = lastMulB;
  olderMulProduct = lastMulProduct;
  lastMulA = a;
  lastMulB = b;
  lastMulProduct = product;
  return product;
}

let lastMulA = 0n;
let lastMulB = 0n;
let lastMulProduct: Fixed = ZERO;
let olderMulA = 0n;
let olderMulB = 0n;
let olderMulProduct: Fixed = ZERO;

function mulExact(a: Fixed, b: Fixed): Fixed {
  const n = a * b;
  const q = n / SCALE;
  const r = n % SCALE;
  if (r > HALF_UNIT || (r === HALF_UNIT && (q & 1n) === 1n)) return (q + 1n) as Fixed;
  if (r < MINUS_HALF_UNIT || (r === MINUS_HALF_UNIT && (q & 1n) === 1n)) return (q - 1n) as Fixed;
  return q as Fixed;
}
/** a ÷ b, rounded half-even to 16 places. */
export function div(a: Fixed, b: Fixed): Fixed {
  if (b === 0n) throw new QtsError('ERR_DIVISION_BY_ZERO', 'division by zero');
  return roundDiv(a * SCALE, b) as Fixed;
}
/** a × n ÷ d with one rounding, for pro-rata splits such as releasing part of a cost basis. */
export function mulDiv(a: Fixed, n: Fixed, d: Fixed): Fixed {
  if (d === 0n) throw new QtsError('ERR_DIVISION_BY_ZERO', 'division by zero');
  return roundDiv(a * n, d) as Fixed;
}
export function min(a: Fixed, b: Fixed): Fixed {
  return a < b ? a : b;
}
export function max(a: Fixed, b: Fixed): Fixed {
  return a > b ? a : b;
}
export function isZero(a: Fixed): boolean {
  return a === 0n;
}
/** Largest multiple of `step` not above `x` (toward zero for negatives): lot and tick rounding. */
export function floorToStep(x: Fixed, step: Fixed): Fixed {
  if (step <= 0n) return x;
  return ((x / step) * step) as Fixed;
}
/** Nearest multiple of `step`, half-even. */
export function roundToStep(x: Fixed, step: Fixed): Fixed {
  if (step <= 0n) return x;
  return (roundDiv(x, step) * step) as Fixed;
}
/** True when x is an exact multiple of step. */
export function isMultipleOf(x: Fixed, step: Fixed): boolean {
  return step <= 0n || x % step === 0n;
}
/** a ÷ b rounded toward zero: sizing must never round a quantity up past what cash buys. */
export function divTrunc(a: Fixed, b: Fixed): Fixed {
  if (b === 0n) throw new QtsError('ERR_DIVISION_BY_ZERO', 'division by zero');
  return ((a * SCALE) / b) as Fixed;
}
