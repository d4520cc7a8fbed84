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

/**
 * The basket strategies' rule for a silent symbol, applied by hand to a period table: a
 * symbol that has had no bar for `after` periods is gone from that period on (not ranked,
 * not traded); its first bar back sits its own period out (the symbol repeats its last bar
 * there, volume 0) and it is live again from the next period. Returns `gone[k][p]` and the
 * table as the strategy sees it (first bars back replaced by repeats).
 */
export function withGoneRule(
  list: readonly BarSeries[],
  t: PeriodTable,
  after: number,
): { gone: Uint8Array[]; table: PeriodTable } {
  const close = t.close.map((c) => c.slice());
  const open = t.open.map((o) => o.slice());
  const volume = t.volume.map((v) => v.slice());
  const gone = list.map((s, k) => {
    const has = new Set(s.ts);
    const g = new Uint8Array(t.ts.length);
    let missed = 0;
    let out = false;
    let backAt = -1;
    for (let p = 0; p < t.ts.length; p++) {
      if (out && backAt >= 0 && backAt < p) {
        out = false;
        backAt = -1;
      }
      if (has.has(t.ts[p] as number)) {
        missed = 0;
        if (out) {
          if (backAt < 0) backAt = p;
          (close[k] as Float64Array)[p] = (close[k] as Float64Array)[p - 1] as number;
          (open[k] as Float64Array)[p] = (open[k] as Float64Array)[p - 1] as number;
          (volume[k] as Float64Array)[p] = 0;
        }
      } else if (!out && p > 0 && ++missed >= after) out = true;
      g[p] = out ? 1 : 0;
    }
    return g;
  });
  return { gone, table: { ...t, close, open, volume } };
}
