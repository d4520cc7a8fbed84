/**
 * Indices of at most `maxPoints` samples of an equity curve, for the report's curve and its
 * drawdown chart. Like chartDownsample (first and last kept, each bucket's min and max), and
 * each bucket also keeps its deepest fall from the running peak together with that peak. Min
 * and max alone lose a dip after a new high within one bucket (100, 130, 110, 140 keeps 100
 * and 140: the 15 % fall from 130 is gone), so a chart of a long run read shallower than the
 * reported maxDrawdown. With the trough and its peak kept, the deepest drawdown of the kept
 * points is that of the full curve: the peak of the deepest trough is in its bucket (kept with
 * it) or is the highest point before that bucket (the max of its own bucket, kept).
 *
 * NaN samples are never chosen unless a whole bucket is NaN (its first index stands for it).
 */
export function equityDownsample(values: ArrayLike<number>, maxPoints: number): number[] {
  const n = values.length;
  const limit = Math.max(2, Math.floor(maxPoints));
  const out: number[] = [];
  if (n <= limit) {
    for (let i = 0; i < n; i++) out.push(i);
    return out;
  }
  out.push(0);
  const interior = n - 2;
  // Up to four points a bucket: min, max, trough, and the trough's peak.
  const buckets = Math.max(0, Math.floor((limit - 2) / 4));
  let peak = values[0] as number;
  let peakAt = 0;
  const kept: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = 1 + Math.floor((b * interior) / buckets);
    const to = 1 + Math.floor(((b + 1) * interior) / buckets);
    if (to <= from) continue;
    let lo = -1;
    let hi = -1;
    let trough = -1;
    let troughPeak = -1;
    let deepest = 0;
    for (let i = from; i < to; i++) {
      const v = values[i] as number;
      if (Number.isNaN(v)) continue;
      if (lo < 0 || v < (values[lo] as number)) lo = i;
      if (hi < 0 || v > (values[hi] as number)) hi = i;
      if (Number.isNaN(peak) || v > peak) {
        peak = v;
        peakAt = i;
      } else {
        const fall = fallFrom(peak, v);
        if (fall > deepest) {
          deepest = fall;
          trough = i;
          troughPeak = peakAt;
        }
      }
    }
    if (lo < 0) {
      out.push(from);
      continue;
    }
    kept.length = 0;
    kept.push(lo, hi);
    // A peak before this bucket is the max of its own bucket, kept already.
    if (trough >= 0) kept.push(trough, troughPeak >= from ? troughPeak : trough);
    kept.sort((a, c) => a - c);
    for (let k = 0; k < kept.length; k++) if (k === 0 || kept[k] !== kept[k - 1]) out.push(kept[k] as number);
  }
  out.push(n - 1);
  return out;
}

/** How far `v` is below `peak`, as maxDrawdown measures it (below zero equity: a total loss). */
function fallFrom(peak: number, v: number): number {
  if (v >= peak) return 0;
  return peak > 0 ? Math.min(1, 1 - v / peak) : 1;
}
