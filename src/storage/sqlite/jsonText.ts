import type { Fixed } from '../../core/Fixed.js';
import { formatFixed } from '../../core/Fixed.js';

/**
 * JSON text for a stored column. Bigints (Fixed amounts) become plain decimal strings
 * ("0.1", never 0.1), so what is stored reads back exactly and stays readable in any SQLite
 * shell. Throws on values JSON cannot hold (a function, undefined at the top level).
 */
export function jsonText(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint' ? formatFixed(v as Fixed) : v,
  );
  if (text === undefined) throw new TypeError('value is not JSON-serializable');
  return text;
}
