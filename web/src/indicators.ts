/*
 * Indicator overlays of a running strategy, computed in the browser from the candles the
 * API serves and the strategy's own parameters: the engine exposes no indicator values,
 * and the same closes with the same periods give the lines the strategy reacts to.
 */

/** One overlay line: a value per candle, null while the indicator warms up. */
export interface Overlay {
  readonly name: string;
  readonly values: readonly (number | null)[];
}

/** What the overlay rules read of a parameter (from the strategy's JSON schema). */
export interface ParamInfo {
  readonly description?: string | undefined;
}

/** Simple moving average; exact sums per window, so no running-sum drift over long series. */
export function sma(closes: readonly number[], n: number): (number | null)[] {
  const out: (number | null)[] = [];
  let sum = 0;
  for (let i = 0; i < closes.length; i++) {
    sum += closes[i] ?? 0;
    if (i >= n) sum -= closes[i - n] ?? 0;
    if (i + 1 < n) out.push(null);
    else if ((i + 1) % 256 === 0) {
      // Re-sum now and then so float error cannot accumulate over thousands of bars.
      let exact = 0;
      for (let j = i - n + 1; j <= i; j++) exact += closes[j] ?? 0;
      sum = exact;
      out.push(sum / n);
    } else out.push(sum / n);
  }
  return out;
}

/** Exponential moving average seeded with the SMA of the first n closes. */
export function ema(closes: readonly number[], n: number): (number | null)[] {
  const out: (number | null)[] = [];
  const k = 2 / (n + 1);
  let prev: number | undefined;
  let seed = 0;
  for (let i = 0; i < closes.length; i++) {
    const c = closes[i] ?? 0;
    if (prev === undefined) {
      seed += c;
      if (i + 1 === n) prev = seed / n;
      out.push(prev ?? null);
    } else {
      prev = c * k + prev * (1 - k);
      out.push(prev);
    }
  }
  return out;
}

/** Bollinger bands: middle SMA ± k population standard deviations. */
export function bands(
  closes: readonly number[],
  n: number,
  k: number,
): { upper: (number | null)[]; lower: (number | null)[] } {
  const mid = sma(closes, n);
  const upper: (number | null)[] = [];
  const lower: (number | null)[] = [];
  for (let i = 0; i < closes.length; i++) {
    const m = mid[i];
    if (m === null || m === undefined) {
      upper.push(null);
      lower.push(null);
      continue;
    }
    let v = 0;
    for (let j = i - n + 1; j <= i; j++) v += ((closes[j] ?? 0) - m) ** 2;
    const sd = Math.sqrt(v / n);
    upper.push(m + k * sd);
    lower.push(m - k * sd);
  }
  return { upper, lower };
}

const isPeriod = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 2 && v <= 1000;

/**
 * The overlays a strategy's parameters describe: an integer parameter documented as an EMA
 * period draws an EMA, one documented as an SMA / moving-average / bands period draws an SMA,
 * and a bands period with a width `k` also draws the bands.
 */
export function overlaysFor(
  params: Readonly<Record<string, unknown>>,
  info: Readonly<Record<string, ParamInfo>>,
  closes: readonly number[],
): Overlay[] {
  const out: Overlay[] = [];
  for (const [name, value] of Object.entries(params)) {
    const d = info[name]?.description ?? '';
    if (!isPeriod(value)) continue;
    if (/\bEMA\b/i.test(d)) out.push({ name: `EMA ${value}`, values: ema(closes, value) });
    else if (/\bSMA\b|moving average|bands? period/i.test(d)) {
      out.push({ name: `SMA ${value}`, values: sma(closes, value) });
      const k = params.k;
      if (/bands?/i.test(d) && typeof k === 'number' && k > 0) {
        const b = bands(closes, value, k);
        out.push(
          { name: `upper ${value}/${k}`, values: b.upper },
          { name: `lower ${value}/${k}`, values: b.lower },
        );
      }
    }
  }
  return out;
}
