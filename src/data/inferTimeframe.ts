const UNITS: readonly (readonly [string, number])[] = [
  ['w', 604_800_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/**
 * The timeframe of sorted, distinct open times: the most common spacing between
 * neighbours (ties go to the shorter one), so a few gaps or a weekend do not mislead it.
 * Undefined when there are fewer than two bars or the spacing is not a whole number of
 * seconds, which no exchange timeframe is.
 */
export function inferTimeframe(ts: Float64Array, length: number): string | undefined {
  const counts = new Map<number, number>();
  let best = 0;
  let bestCount = 0;
  for (let i = 1; i < length; i++) {
    const d = (ts[i] as number) - (ts[i - 1] as number);
    const k = (counts.get(d) ?? 0) + 1;
    counts.set(d, k);
    if (k > bestCount || (k === bestCount && d < best)) {
      best = d;
      bestCount = k;
    }
  }
  if (bestCount === 0) return undefined;
  for (const [unit, ms] of UNITS) {
    if (best % ms === 0) return `${best / ms}${unit}`;
  }
  return undefined;
}
