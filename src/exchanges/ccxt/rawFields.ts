/**
 * A field of an exchange's raw payload (ccxt's `info`) as text: exchanges send amounts and ids
 * as strings or numbers, and an exact decimal must be read from the text they sent.
 */
export function textOf(v: unknown): string | undefined {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** Numeric ids in numeric order (Binance's trade ids and tranIds), others as text. */
export function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  return a < b ? -1 : a > b ? 1 : 0;
}
