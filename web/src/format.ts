/** Display helpers: numbers for charts and statistics, decimal strings shown as the API wrote them. */

export function num(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function pct(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return `${(v * 100).toFixed(digits)} %`;
}

/** A UTC time, to the second (trading days are UTC days). */
export function time(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

/** A decimal string trimmed for display only (the value itself is never rounded through a float). */
export function dec(v: string | null | undefined): string {
  if (v === null || v === undefined) return '—';
  const [int, frac] = v.split('.');
  if (frac === undefined) return v;
  return `${int}.${frac.slice(0, 8)}`.replace(/\.?0+$/, '');
}

/** Sign of a decimal string, for colouring PnL. */
export function signOf(v: string | null | undefined): 'pos' | 'neg' | '' {
  if (v === null || v === undefined) return '';
  if (v.startsWith('-')) return 'neg';
  return /[1-9]/.test(v) ? 'pos' : '';
}

/** A parameter value as text for an input field (objects as JSON). */
export function asText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}
