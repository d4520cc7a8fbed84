/**
 * Number formatting the way Binance writes it: decimal strings, never exponents, at least
 * eight decimals ("0.00141342", "23.00000000"). Quantities that the fake adds up (candle and
 * ticker volumes) are summed exactly in integer units of 1e-8, Binance's finest precision,
 * so a volume built from trades prints exactly like the candle file it came from.
 */

/** 1e8 units per coin. */
const UNITS_PER_COIN = 100_000_000n;

/** The shortest decimal that reads back as `x`, without exponent notation. */
export function plainDecimal(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`not a finite number: ${x}`);
  const neg = x < 0 ? '-' : '';
  const s = String(Math.abs(x));
  const e = s.indexOf('e');
  if (e < 0) return neg + s;
  const mantissa = s.slice(0, e);
  const exp = Number(s.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  const intLen = (dot < 0 ? mantissa.length : dot) + exp;
  if (intLen <= 0) return `${neg}0.${'0'.repeat(-intLen)}${digits}`;
  if (intLen >= digits.length) return neg + digits + '0'.repeat(intLen - digits.length);
  return `${neg}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
}

/** `x` as Binance prints it: shortest round-trip digits, padded to at least `minDecimals`. */
export function fmtDecimal(x: number, minDecimals = 8): string {
  const p = plainDecimal(x);
  const dot = p.indexOf('.');
  const decimals = dot < 0 ? 0 : p.length - dot - 1;
  if (decimals >= minDecimals) return p;
  return (dot < 0 ? `${p}.` : p) + '0'.repeat(minDecimals - decimals);
}

/** Number of decimals in the shortest round-trip form of `x`. */
export function decimalsOf(x: number): number {
  const p = plainDecimal(x);
  const dot = p.indexOf('.');
  return dot < 0 ? 0 : p.length - dot - 1;
}

/** `x` in integer units of 1e-8, rounded to the nearest unit. */
export function toUnits(x: number): bigint {
  return BigInt(Math.round(x * 1e8));
}

/** Units of 1e-8 as an exact eight-decimal string. */
export function fmtUnits(units: bigint): string {
  const neg = units < 0n;
  const abs = neg ? -units : units;
  const int = abs / UNITS_PER_COIN;
  const frac = (abs % UNITS_PER_COIN).toString().padStart(8, '0');
  return `${neg ? '-' : ''}${int}.${frac}`;
}

/** Units of 1e-8 as a number of coins. */
export function unitsToNumber(units: bigint): number {
  return Number(units) / 1e8;
}

/** 10^-decimals as Binance writes a tick or step size ("0.00000001", "1.00000000"). */
export function stepString(decimals: number): string {
  return decimals === 0 ? '1.00000000' : `0.${'0'.repeat(decimals - 1)}1`.padEnd(10, '0');
}

/**
 * A decimal string as sent by a client ("0.5", "12", "1.23400000") in units of 1e-8, exactly;
 * undefined when it is not a plain non-negative decimal or has more than eight decimals (what
 * Binance refuses with -1111, precision over the maximum).
 */
export function parseUnits(s: string): bigint | undefined {
  const m = /^(\d+)(?:\.(\d*))?$/.exec(s.trim());
  if (m === null) return undefined;
  const frac = (m[2] ?? '').replace(/0+$/, '');
  if (frac.length > 8) return undefined;
  return BigInt(m[1] as string) * UNITS_PER_COIN + BigInt(frac.padEnd(8, '0') || '0');
}

/** qty × price, both in units of 1e-8, in units of 1e-8 (rounded down, as a notional). */
export function mulUnits(a: bigint, b: bigint): bigint {
  return (a * b) / UNITS_PER_COIN;
}

/** a / b in units of 1e-8 (rounded down): an average price from a notional and a quantity. */
export function divUnits(a: bigint, b: bigint): bigint {
  return b === 0n ? 0n : (a * UNITS_PER_COIN) / b;
}
