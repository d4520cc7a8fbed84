import { ols } from './statistics.js';

/**
 * Engle-Granger two-step cointegration test of two price series (Engle & Granger 1987):
 * 1. regress y on x by OLS, y = alpha + beta·x + e (beta is the hedge ratio);
 * 2. run an augmented Dickey-Fuller regression on the residuals, without constant (they
 *    have mean zero by construction): Δe_t = γ·e_{t−1} + Σ_{i=1..lags} φ_i·Δe_{t−i} + u_t.
 * The statistic is the t-value of γ. Because beta was estimated, ordinary ADF critical
 * values are too lenient; the residual test uses MacKinnon's response surface for two
 * variables with a constant (MacKinnon 2010, "Critical Values for Cointegration Tests",
 * Queen's Economics Department Working Paper 1227, Table 2, N = 2, "c"):
 * crit(T) = τ∞ + τ1/T + τ2/T². This is what statsmodels' `coint` does.
 */
export interface EngleGrangerResult {
  readonly alpha: number;
  /** Hedge ratio: units of x per unit of y in the spread y − beta·x. */
  readonly beta: number;
  /** ADF t-statistic of the residuals (more negative = more mean-reverting). */
  readonly adfStat: number;
  /** MacKinnon critical value at the requested level for this sample size. */
  readonly critical: number;
  readonly cointegrated: boolean;
  readonly residuals: Float64Array;
}

/** Significance levels of MacKinnon's table this module carries. */
export type CointegrationLevel = 0.01 | 0.05 | 0.1;

// MacKinnon (2010) Table 2, N = 2, constant: [τ∞, τ1, τ2]. The 1% τ2 is the paper's −22.527
// (statsmodels' adfvalues.py carries −33.527 there; the difference is below 0.001 for T ≥ 100).
const TAU_C_N2: Readonly<Record<CointegrationLevel, readonly [number, number, number]>> = {
  0.01: [-3.89644, -10.9519, -22.527],
  0.05: [-3.33613, -6.1101, -6.823],
  0.1: [-3.04445, -4.2412, -2.72],
};

/** MacKinnon's Engle-Granger critical value for two series and `nobs` observations. */
export function egCriticalValue(nobs: number, level: CointegrationLevel = 0.05): number {
  const [inf, t1, t2] = TAU_C_N2[level];
  return inf + t1 / nobs + t2 / (nobs * nobs);
}

/** Tests y and x (same length, aligned in time) for cointegration. */
export function engleGranger(
  y: ArrayLike<number>,
  x: ArrayLike<number>,
  lags = 1,
  level: CointegrationLevel = 0.05,
): EngleGrangerResult {
  const fit = ols(y, x);
  const adfStat = adfNoConstant(fit.residuals, lags);
  // statsmodels counts the observations of the cointegrating regression minus one.
  const critical = egCriticalValue(fit.residuals.length - 1, level);
  return {
    alpha: fit.alpha,
    beta: fit.beta,
    adfStat,
    critical,
    cointegrated: adfStat < critical,
    residuals: fit.residuals,
  };
}

/** t-statistic of γ in Δe_t = γ·e_{t−1} + Σ φ_i·Δe_{t−i} + u_t; NaN when the sample is too short or singular. */
export function adfNoConstant(e: ArrayLike<number>, lags: number): number {
  const n = e.length;
  const k = 1 + lags;
  const rows = n - 1 - lags;
  if (rows <= k + 1) return Number.NaN;
  const xtx = Array.from({ length: k }, () => new Float64Array(k));
  const xty = new Float64Array(k);
  const row = new Float64Array(k);
  const ys = new Float64Array(rows);
  const xs: Float64Array[] = [];
  for (let r = 0; r < rows; r++) {
    const t = r + 1 + lags;
    const dy = (e[t] as number) - (e[t - 1] as number);
    row[0] = e[t - 1] as number;
    for (let i = 1; i <= lags; i++) row[i] = (e[t - i] as number) - (e[t - i - 1] as number);
    ys[r] = dy;
    xs.push(Float64Array.from(row));
    for (let a = 0; a < k; a++) {
      xty[a] = (xty[a] as number) + (row[a] as number) * dy;
      const xa = xtx[a] as Float64Array;
      for (let b = 0; b < k; b++) xa[b] = (xa[b] as number) + (row[a] as number) * (row[b] as number);
    }
  }
  const inv = invert(xtx);
  if (!inv) return Number.NaN;
  const coef = new Float64Array(k);
  for (let a = 0; a < k; a++) {
    let s = 0;
    for (let b = 0; b < k; b++) s += ((inv[a] as Float64Array)[b] as number) * (xty[b] as number);
    coef[a] = s;
  }
  let ssr = 0;
  for (let r = 0; r < rows; r++) {
    const xr = xs[r] as Float64Array;
    let fit = 0;
    for (let a = 0; a < k; a++) fit += (coef[a] as number) * (xr[a] as number);
    const u = (ys[r] as number) - fit;
    ssr += u * u;
  }
  const sigma2 = ssr / (rows - k);
  const se = Math.sqrt(sigma2 * ((inv[0] as Float64Array)[0] as number));
  return se > 0 ? (coef[0] as number) / se : Number.NaN;
}

/** Inverse of a small symmetric matrix by Gauss-Jordan with partial pivoting; undefined when singular. */
function invert(m: readonly Float64Array[]): Float64Array[] | undefined {
  const k = m.length;
  const a: Float64Array[] = m.map((r, i) => {
    const out: Float64Array = new Float64Array(2 * k);
    out.set(r);
    out[k + i] = 1;
    return out;
  });
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let r = c + 1; r < k; r++)
      if (Math.abs((a[r] as Float64Array)[c] as number) > Math.abs((a[p] as Float64Array)[c] as number))
        p = r;
    const pivotRow = a[p] as Float64Array;
    const pivot = pivotRow[c] as number;
    if (Math.abs(pivot) < 1e-300) return undefined;
    a[p] = a[c] as Float64Array;
    a[c] = pivotRow;
    for (let j = 0; j < 2 * k; j++) pivotRow[j] = (pivotRow[j] as number) / pivot;
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const rr = a[r] as Float64Array;
      const f = rr[c] as number;
      if (f === 0) continue;
      for (let j = 0; j < 2 * k; j++) rr[j] = (rr[j] as number) - f * (pivotRow[j] as number);
    }
  }
  return a.map((r) => r.slice(k));
}
