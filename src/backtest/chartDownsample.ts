/**
 * Indices of at most `maxPoints` samples of a series, for charts and the report's equity
 * curve. The first and last samples are always kept; the points between are cut into
 * equal buckets and each bucket keeps its minimum and its maximum (in time order). A plain
 * stride would step over the bottom of a one-bar crash and hide the max drawdown; min/max
 * buckets keep every extreme that a chart of the full series would show.
 *
 * NaN samples are never chosen as a bucket's min or max unless the whole bucket is NaN.
 */
export function chartDownsample(values: ArrayLike<number>, maxPoints: number): number[] {
  const n = values.length;
  const limit = Math.max(2, Math.floor(maxPoints));
  if (n <= limit) {
    // A plain loop: Array.from with a callback costs more than a short backtest's whole report.
    const all: number[] = [];
    for (let i = 0; i < n; i++) all.push(i);
    return all;
  }

  const out: number[] = [0];
  const interior = n - 2;
  const buckets = Math.max(0, Math.floor((limit - 2) / 2));
  for (let b = 0; b < buckets; b++) {
    const from = 1 + Math.floor((b * interior) / buckets);
    const to = 1 + Math.floor(((b + 1) * interior) / buckets);
    if (to <= from) continue;
    let lo = -1;
    let hi = -1;
    for (let i = from; i < to; i++) {
      const v = values[i] as number;
      if (Number.isNaN(v)) continue;
      if (lo < 0 || v < (values[lo] as number)) lo = i;
      if (hi < 0 || v > (values[hi] as number)) hi = i;
    }
    if (lo < 0) {
      out.push(from);
    } else if (lo === hi) {
      out.push(lo);
    } else {
      out.push(Math.min(lo, hi), Math.max(lo, hi));
    }
  }
  out.push(n - 1);
  return out;
}
