import type { FillRecord } from '../../../src/backtest/types.js';
import type { BarSeries } from '../../../src/model/BarSeries.js';

/**
 * The cross-sections of several series built here, independently of the strategy's
 * CrossSection: every distinct open time of any series is a period, and a series without
 * a bar in a period repeats its last bar (NaN before its first).
 */
export interface PeriodTable {
  readonly ts: number[];
  /** close[symbolIndex][period]. */
  readonly close: Float64Array[];
  readonly open: Float64Array[];
  /** Volume, 0 in a repeated period. */
  readonly volume: Float64Array[];
  /** Periods each symbol has had a bar in or after its first one, at each period. */
  readonly seen: Int32Array[];
}

export function periodTable(list: readonly BarSeries[]): PeriodTable {
  const ts = [...new Set(list.flatMap((s) => [...s.ts]))].sort((a, b) => a - b);
  const at = new Map(ts.map((t, i) => [t, i]));
  const mk = (): Float64Array[] => list.map(() => new Float64Array(ts.length).fill(Number.NaN));
  const close = mk();
  const open = mk();
  const volume = list.map(() => new Float64Array(ts.length));
  const seen = list.map(() => new Int32Array(ts.length));
  list.forEach((s, k) => {
    const c = close[k] as Float64Array;
    const o = open[k] as Float64Array;
    const v = volume[k] as Float64Array;
    for (let i = 0; i < s.length; i++) {
      const p = at.get(s.ts[i] as number) as number;
      c[p] = s.close[i] as number;
      o[p] = s.open[i] as number;
      v[p] = s.volume[i] as number;
    }
    const n = seen[k] as Int32Array;
    for (let p = 0; p < ts.length; p++) {
      if (Number.isNaN(c[p]) && p > 0) {
        c[p] = c[p - 1] as number;
        o[p] = o[p - 1] as number;
      }
      n[p] = (p > 0 ? (n[p - 1] as number) : 0) + (Number.isNaN(c[p]) ? 0 : 1);
    }
  });
  return { ts, close, open, volume, seen };
}

/** Period index of the latest decision period strictly before a fill (the fill is at an open). */
export function lastPeriodBefore(periods: readonly number[], fill: FillRecord): number {
  let lo = 0;
  let hi = periods.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((periods[mid] as number) < fill.ts) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Fills walked in order with the position each leaves: `exits` are the sells that leave a symbol flat. */
export function fullExits(fills: readonly FillRecord[]): FillRecord[] {
  const held = new Map<string, number>();
  const out: FillRecord[] = [];
  for (const f of fills) {
    const q = (held.get(f.symbol) ?? 0) + (f.side === 'BUY' ? f.quantity : -f.quantity);
    held.set(f.symbol, q);
    if (f.side === 'SELL' && Math.abs(q) < 1e-9) out.push(f);
  }
  return out;
}
