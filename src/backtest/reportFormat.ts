// Figures of the HTML reports (backtest and research), formatted without the locale so a page is
// byte-identical everywhere.

/** A fraction as a percentage with two decimals, or — when unknown. */
export function pct(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(2)} %`;
}

/** A figure with `digits` decimals, or — when unknown. */
export function num(v: number | null | undefined, digits = 2): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits);
}

/** An amount with `digits` decimals, thousands grouped. */
export function fixed(v: number, digits: number): string {
  return Number.isFinite(v) ? groupThousands(v.toFixed(digits)) : '—';
}

/** An amount of the account's currency, with the decimals its size calls for. */
export function moneyText(v: number | null, currency: string, initialCash: number): string {
  return v === null || !Number.isFinite(v)
    ? '—'
    : `${groupThousands(v.toFixed(moneyDigits(initialCash)))} ${currency}`;
}

/**
 * Decimals of money figures, from the size of the account: cents for a 100,000 USD account,
 * five decimals for a 1 BTC one (0.00001 BTC), where two would print every trade's PnL and
 * fee as 0.00. At least 2, at most 12.
 */
export function moneyDigits(initialCash: number): number {
  if (!(initialCash > 0) || !Number.isFinite(initialCash)) return 2;
  return Math.min(12, Math.max(2, 5 - Math.floor(Math.log10(initialCash))));
}

/** Prices and quantities: 8 significant digits, no exponent for ordinary magnitudes. */
export function fmtNum(v: number): string {
  if (!Number.isFinite(v)) return '—';
  const s = String(Number(v.toPrecision(8)));
  return s.includes('e') ? s : groupThousands(s);
}

/** A decimal string with its integer digits grouped by thousands (1234567.5 → 1,234,567.5). */
export function groupThousands(s: string): string {
  const neg = s.startsWith('-');
  const body = neg ? s.slice(1) : s;
  const dot = body.indexOf('.');
  const int = dot < 0 ? body : body.slice(0, dot);
  const frac = dot < 0 ? '' : body.slice(dot);
  return `${neg ? '-' : ''}${int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${frac}`;
}

/** A UTC date and minute, or — when unknown. */
export function fmtTime(ts: number | null): string {
  if (ts === null || !Number.isFinite(ts) || Math.abs(ts) > 8.64e15) return '—';
  return new Date(ts).toISOString().slice(0, 16).replace('T', ' ');
}

/** A span of time in its two largest units (days and hours, or hours and minutes). */
export function duration(ms: number): string {
  if (!(ms > 0)) return '0';
  const days = Math.floor(ms / 86_400_000);
  const hours = Math.floor((ms % 86_400_000) / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  return `${minutes}m`;
}
