import type { Rng } from '../core/Rng.js';
import type { ParamSpace } from './ParamSpace.js';
import { indexOf } from './ParamSpace.js';

/** One evaluated point: the value index on each axis and its rank score (lower = better). */
export interface TpeObservation {
  readonly valueIndices: readonly number[];
  /** Position in the ranking of every observation so far, 0 = best (ties share nothing: rank is total). */
  readonly rank: number;
}

/** Options of {@link TpeSampler}. */
export interface TpeOptions {
  /** Share of observations counted as "good" (hyperopt's γ). */
  readonly gamma?: number;
  /** Candidates drawn from the good density per proposal; the best l/g ratio wins. */
  readonly candidates?: number;
}

/**
 * A Tree-structured Parzen Estimator (Bergstra et al., 2011) over the discrete grid of a
 * parameter space, written here because no maintained TypeScript TPE/Optuna port fits a
 * deterministic, offline build. Like hyperopt it models each axis independently: the best
 * γ of the observations give a density l, the rest a density g (Parzen windows: a Gaussian
 * over value positions on numeric axes, a smoothed histogram on categorical ones, each
 * with a uniform prior worth one observation); candidates are drawn from l and the one with
 * the largest l/g is proposed. Every draw comes from the seeded Rng it is given, so a run
 * replays exactly.
 */
export class TpeSampler {
  private readonly gamma: number;
  private readonly candidates: number;
  private readonly ordered: readonly boolean[];

  constructor(
    private readonly space: ParamSpace,
    private readonly rng: Rng,
    opts: TpeOptions = {},
  ) {
    this.gamma = opts.gamma ?? 0.25;
    this.candidates = opts.candidates ?? 24;
    this.ordered = space.axes.map((a) => a.values.every((v) => typeof v === 'number'));
  }

  /**
   * The grid index to evaluate next, or undefined when every candidate and a random
   * fallback were refused. `take(index)` says whether a point may be used (not seen
   * before and accepted by the strategy); the sampler asks it best candidate first.
   */
  propose(history: readonly TpeObservation[], take: (index: number) => boolean): number | undefined {
    const sorted = [...history].sort((a, b) => a.rank - b.rank);
    const nGood = Math.max(1, Math.ceil(this.gamma * sorted.length));
    const good = sorted.slice(0, nGood);
    const bad = sorted.slice(nGood);
    const l = this.space.axes.map((_, a) => this.density(a, good));
    const g = this.space.axes.map((_, a) => this.density(a, bad));

    const scored: { index: number; score: number }[] = [];
    for (let c = 0; c < this.candidates; c++) {
      let score = 0;
      const point = l.map((pdf, a) => {
        const k = drawIndex(pdf, this.rng.next());
        score += Math.log(pdf[k] as number) - Math.log((g[a] as Float64Array)[k] as number);
        return k;
      });
      scored.push({ index: indexOf(this.space, point), score });
    }
    scored.sort((x, y) => y.score - x.score || x.index - y.index);
    for (const s of scored) if (take(s.index)) return s.index;
    // The good region is used up (or refused): explore uniformly instead.
    for (let tries = 0; tries < 1000; tries++) {
      const point = this.space.axes.map((axis) => Math.floor(this.rng.next() * axis.values.length));
      const index = indexOf(this.space, point);
      if (take(index)) return index;
    }
    return undefined;
  }

  /** Parzen density over the value positions of axis `a`, summing to 1. */
  private density(a: number, obs: readonly TpeObservation[]): Float64Array {
    const k = (this.space.axes[a] as { values: readonly unknown[] }).values.length;
    const pdf = new Float64Array(k).fill(1 / k);
    if (this.ordered[a]) {
      const h = Math.max(1, k / 10);
      for (const o of obs) {
        const x = o.valueIndices[a] as number;
        const kernel = new Float64Array(k);
        let sum = 0;
        for (let i = 0; i < k; i++) {
          const z = (i - x) / h;
          kernel[i] = Math.exp(-0.5 * z * z);
          sum += kernel[i] as number;
        }
        for (let i = 0; i < k; i++) pdf[i] = (pdf[i] as number) + (kernel[i] as number) / sum;
      }
    } else {
      for (const o of obs) {
        const x = o.valueIndices[a] as number;
        pdf[x] = (pdf[x] as number) + 1;
      }
    }
    const total = 1 + obs.length;
    for (let i = 0; i < k; i++) pdf[i] = (pdf[i] as number) / total;
    return pdf;
  }
}

/** The position whose cumulative probability first exceeds u. */
function drawIndex(pdf: Float64Array, u: number): number {
  let acc = 0;
  for (let i = 0; i < pdf.length; i++) {
    acc += pdf[i] as number;
    if (u < acc) return i;
  }
  return pdf.length - 1;
}
