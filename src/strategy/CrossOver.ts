/**
 * Detects a line crossing another the way backtrader's CrossOver does: the sign of the
 * last non-zero difference before this bar must be opposite to this bar's strict
 * difference. Touching without crossing, or lying on the other line for a few bars and
 * coming back, is no cross. Returns +1 (a crossed above b), −1 (below) or 0.
 */
export class CrossOver {
  private lastNonZero = Number.NaN;

  update(a: number, b: number): number {
    if (Number.isNaN(a) || Number.isNaN(b)) return 0;
    const diff = a - b;
    const before = this.lastNonZero;
    if (diff !== 0 || Number.isNaN(before)) this.lastNonZero = diff;
    if (Number.isNaN(before)) return 0;
    if (before < 0 && diff > 0) return 1;
    if (before > 0 && diff < 0) return -1;
    return 0;
  }
}
