import type { BarSeries } from '../model/BarSeries.js';
import { checkedTimeframeMs } from './checkedTimeframeMs.js';

/**
 * The order in which the bars of several series become known to a multi-symbol backtest:
 * by close time (open time + timeframe — a 1h bar opened at 10:00 is only known at 11:00,
 * after the 5m bar opened at 10:50), ties by symbol, then shorter timeframe first (as a live
 * feed closes the 5m bar before the hour built from it), then the order of `series`. Ties decide which strategy acts first on a shared account (who gets the cash of an
 * all-in buy), so they follow the symbols, not the order the files were named in: the same
 * data given in another order replays the same. Entry k is bar `barIndex[k]` of series
 * `seriesIndex[k]`.
 * A k-way merge on a binary heap: O(n log k), no per-bar objects.
 */
export function mergeByTime(series: readonly BarSeries[]): {
  seriesIndex: Uint32Array;
  barIndex: Uint32Array;
} {
  const k = series.length;
  const tfMs = new Float64Array(k);
  let total = 0;
  for (let s = 0; s < k; s++) {
    const one = series[s] as BarSeries;
    tfMs[s] = checkedTimeframeMs(one.timeframe);
    total += one.length;
  }
  const seriesIndex = new Uint32Array(total);
  const barIndex = new Uint32Array(total);

  const next = new Uint32Array(k); // next unread bar of each series
  const key = new Float64Array(k); // close time of that bar
  const heap = new Uint32Array(k);
  const rank = tieRanks(series, tfMs);
  let size = 0;
  const less = (a: number, b: number): boolean => {
    const ka = key[a] as number;
    const kb = key[b] as number;
    return ka < kb || (ka === kb && (rank[a] as number) < (rank[b] as number));
  };
  const siftDown = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) return;
      const r = l + 1;
      const c = r < size && less(heap[r] as number, heap[l] as number) ? r : l;
      if (!less(heap[c] as number, heap[i] as number)) return;
      const tmp = heap[i] as number;
      heap[i] = heap[c] as number;
      heap[c] = tmp;
      i = c;
    }
  };
  for (let s = 0; s < k; s++) {
    const one = series[s] as BarSeries;
    if (one.length === 0) continue;
    key[s] = (one.ts[0] as number) + (tfMs[s] as number);
    heap[size++] = s;
  }
  for (let i = (size >> 1) - 1; i >= 0; i--) siftDown(i);

  for (let out = 0; out < total; out++) {
    const s = heap[0] as number;
    const one = series[s] as BarSeries;
    const bar = next[s] as number;
    seriesIndex[out] = s;
    barIndex[out] = bar;
    next[s] = bar + 1;
    if (bar + 1 < one.length) {
      key[s] = (one.ts[bar + 1] as number) + (tfMs[s] as number);
    } else {
      heap[0] = heap[--size] as number;
    }
    siftDown(0);
  }
  return { seriesIndex, barIndex };
}

/** Each series' place among ties: by symbol (code-unit order, locale-free), then timeframe, then index. */
function tieRanks(series: readonly BarSeries[], tfMs: Float64Array): Uint32Array {
  const cmp = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  const order = series
    .map((s, i) => ({ symbol: s.symbol, ms: tfMs[i] as number, i }))
    .sort((a, b) => cmp(a.symbol, b.symbol) || a.ms - b.ms || a.i - b.i);
  const rank = new Uint32Array(series.length);
  order.forEach((o, r) => (rank[o.i] = r));
  return rank;
}
