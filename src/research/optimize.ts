import { QtsError } from '../core/QtsError.js';
import { Rng } from '../core/Rng.js';
import type { AnyStrategyClass } from '../strategy/Strategy.js';
import type { ComboEvaluator } from './ComboEvaluator.js';
import type { ComboMetrics } from './ComboMetrics.js';
import type { Objective } from './objectives.js';
import { rankByObjective } from './objectives.js';
import type { ParamSpace, ParamValue } from './ParamSpace.js';
import { comboAt, validCombo, valueIndicesOf } from './ParamSpace.js';
import type { TpeObservation } from './TpeSampler.js';
import { TpeSampler } from './TpeSampler.js';

/** How the space is searched. */
export const SearchMethod = { GRID: 'grid', RANDOM: 'random', TPE: 'tpe' } as const;
export type SearchMethod = (typeof SearchMethod)[keyof typeof SearchMethod];

/** One evaluated combination: its grid index, parameters, objective value and metrics. */
export interface OptimizationRow extends ComboMetrics {
  readonly index: number;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly objective: number | null;
}

/** A combination the strategy refused (its schema's reason). */
export interface SkippedCombo {
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly reason: string;
}

/** Options of {@link optimize}. */
export interface SearchOptions {
  readonly strategy: AnyStrategyClass;
  readonly space: ParamSpace;
  readonly method: SearchMethod;
  readonly objective: Objective;
  /** random/tpe: combinations to evaluate (default 100). */
  readonly samples?: number;
  /** Seed of the sampler. */
  readonly seed: number;
  /** grid: refuse spaces larger than this (default 100,000). */
  readonly maxCombos?: number;
  /** tpe: combinations proposed per round (default 8); part of the result, unlike the worker count. */
  readonly batchSize?: number;
  /** Only the bars with open time in [from, to) (walk-forward in-sample windows). */
  readonly from?: number;
  readonly to?: number;
  /** Combinations finished so far and the number planned. */
  readonly onProgress?: (done: number, planned: number) => void;
}

/** What a search found. Rows are in evaluation order; {@link rankByObjective} sorts them. */
export interface SearchOutcome {
  readonly rows: OptimizationRow[];
  /** Best row by the objective, null when no row has a value for it. */
  readonly best: OptimizationRow | null;
  /** Combinations the strategy refused (never run). */
  readonly skipped: number;
  /** The first few refused combinations and why, so a user sees what the constraint was. */
  readonly skippedExamples: SkippedCombo[];
}

const SKIP_EXAMPLES = 5;

/**
 * Searches a strategy's parameter space: every combination (grid), a seeded uniform sample
 * without repetition (random), or a seeded TPE that samples where good results were
 * (tpe). The evaluator decides where backtests run; the outcome never depends on it, nor
 * on the number of threads or workers: same space, method and seed ⇒ same rows.
 */
export async function optimize(evaluator: ComboEvaluator, opts: SearchOptions): Promise<SearchOutcome> {
  const picker = new Picker(opts);
  const window = {
    ...(opts.from === undefined ? {} : { from: opts.from }),
    ...(opts.to === undefined ? {} : { to: opts.to }),
  };
  const rows: OptimizationRow[] = [];
  const run = async (indices: readonly number[], planned: number): Promise<void> => {
    const before = rows.length;
    const params = indices.map((i) => comboAt(opts.space, i));
    const metrics = await evaluator.evaluate(
      params.map((p) => ({ params: p, ...window })),
      (done) => opts.onProgress?.(before + done, planned),
    );
    metrics.forEach((m, k) => {
      const index = indices[k] as number;
      rows.push({
        index,
        params: params[k] as Record<string, ParamValue>,
        objective: opts.objective.value(m),
        ...m,
      });
    });
  };

  const samples = opts.samples ?? 100;
  if (!Number.isSafeInteger(samples) || samples < 1)
    throw new QtsError('ERR_INVALID_OPTION', `samples: need a whole number ≥ 1, got ${samples}`);
  if (opts.method === SearchMethod.GRID) {
    const max = opts.maxCombos ?? 100_000;
    if (opts.space.size > max) {
      throw new QtsError(
        'ERR_OPTIMIZE_SPACE_TOO_LARGE',
        `the grid has ${opts.space.size} combinations, more than --max-combos ${max}; narrow it with --param name=a:b:step or use --method random|tpe --samples N`,
      );
    }
    const all: number[] = [];
    for (let i = 0; i < opts.space.size; i++) if (picker.take(i)) all.push(i);
    await run(all, all.length);
  } else if (opts.method === SearchMethod.RANDOM) {
    const picks = picker.randomPicks(samples);
    await run(picks, picks.length);
  } else {
    const batch = opts.batchSize ?? 8;
    if (!Number.isSafeInteger(batch) || batch < 1)
      throw new QtsError('ERR_INVALID_OPTION', `batch: need a whole number ≥ 1, got ${batch}`);
    // Start from a uniform sample, then let the model choose, one round of `batch` at a time.
    const startup = Math.min(samples, Math.max(10, batch));
    await run(picker.randomPicks(startup), samples);
    const tpe = new TpeSampler(opts.space, picker.rng);
    while (rows.length < samples) {
      const ranked = rankByObjective(opts.objective, rows);
      const history: TpeObservation[] = ranked.map((r, rank) => ({
        valueIndices: valueIndicesOf(opts.space, r.index),
        rank,
      }));
      const round: number[] = [];
      const want = Math.min(batch, samples - rows.length);
      while (round.length < want) {
        const next = tpe.propose(history, (i) => picker.take(i));
        if (next === undefined) break;
        round.push(next);
      }
      if (round.length === 0) break;
      await run(round, samples);
    }
  }
  const ranked = rankByObjective(opts.objective, rows);
  const top = ranked[0];
  return {
    rows,
    best: top !== undefined && top.objective !== null ? top : null,
    skipped: picker.skipped,
    skippedExamples: picker.skippedExamples,
  };
}

/** Draws grid indices without repetition and keeps the strategy's refusals apart. */
class Picker {
  readonly rng: Rng;
  private readonly seen = new Set<number>();
  skipped = 0;
  readonly skippedExamples: SkippedCombo[] = [];

  constructor(private readonly opts: SearchOptions) {
    this.rng = new Rng(opts.seed);
  }

  /** Marks `index` as used; true when it is new and the strategy accepts it. */
  take(index: number): boolean {
    if (this.seen.has(index)) return false;
    this.seen.add(index);
    const params = comboAt(this.opts.space, index);
    const v = validCombo(this.opts.strategy, params);
    if (v.ok) return true;
    this.skipped++;
    if (this.skippedExamples.length < SKIP_EXAMPLES) this.skippedExamples.push({ params, reason: v.reason });
    return false;
  }

  /**
   * Up to `n` valid combinations drawn uniformly without repetition: a seeded shuffle of
   * the whole grid when it is small, per-axis uniform draws (with redraws) when it is large.
   */
  randomPicks(n: number): number[] {
    const size = this.opts.space.size;
    const out: number[] = [];
    if (size <= Math.max(4 * n, 1 << 16)) {
      const order = Array.from({ length: size }, (_, i) => i);
      for (let i = size - 1; i > 0; i--) {
        const j = Math.floor(this.rng.next() * (i + 1));
        const t = order[i] as number;
        order[i] = order[j] as number;
        order[j] = t;
      }
      for (const i of order) {
        if (out.length >= n) break;
        if (this.take(i)) out.push(i);
      }
      return out;
    }
    for (let tries = 0; out.length < n && tries < 50 * n + 1000; tries++) {
      let index = 0;
      for (const axis of this.opts.space.axes) {
        index = index * axis.values.length + Math.floor(this.rng.next() * axis.values.length);
      }
      if (this.take(index)) out.push(index);
    }
    return out;
  }
}
