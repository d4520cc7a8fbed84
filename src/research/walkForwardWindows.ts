import { QtsError } from '../core/QtsError.js';

/** How the in-sample window moves: it slides (rolling) or always starts at the first bar (anchored). */
export const WalkForwardMode = { ROLLING: 'rolling', ANCHORED: 'anchored' } as const;
export type WalkForwardMode = (typeof WalkForwardMode)[keyof typeof WalkForwardMode];

/** Sizes of the windows, in bars of the first series. */
export interface WindowSpec {
  readonly inSample: number;
  readonly outOfSample: number;
  /** Bars between the starts of two windows; default outOfSample (back-to-back OOS windows). */
  readonly step?: number;
  readonly mode: WalkForwardMode;
}

/**
 * One in-sample/out-of-sample pair: bar indices (end exclusive) and the matching open-time
 * bounds [from, to) that cut every series of the run. `oosTo` is null for a window that ends
 * with the data.
 */
export interface WalkForwardWindow {
  readonly index: number;
  readonly isStart: number;
  readonly isEnd: number;
  readonly oosStart: number;
  readonly oosEnd: number;
  readonly isFrom: number;
  readonly isTo: number;
  readonly oosFrom: number;
  readonly oosTo: number | null;
}

/**
 * The windows of a walk-forward over bars with open times `ts`. Rolling: window k trains on
 * [k·step, k·step + IS) and trades [k·step + IS, k·step + IS + OOS). Anchored: training always
 * starts at bar 0 and grows by `step` each window. Only whole out-of-sample windows are made;
 * bars after the last one are not traded. Fails with ERR_WALKFORWARD_WINDOWS when the sizes
 * are not whole positive numbers, the step is shorter than the out-of-sample length (the
 * windows would overlap) or the data holds no window.
 */
export function walkForwardWindows(ts: ArrayLike<number>, spec: WindowSpec): WalkForwardWindow[] {
  const step = spec.step ?? spec.outOfSample;
  for (const [name, v] of [
    ['in-sample', spec.inSample],
    ['out-of-sample', spec.outOfSample],
    ['step', step],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 1)
      throw new QtsError('ERR_WALKFORWARD_WINDOWS', `--${name}: need a whole number of bars ≥ 1, got ${v}`);
  }
  // The out-of-sample runs are stitched into one record, capital carried from one to the next:
  // windows that overlap would trade the same bars twice and compound them.
  if (step < spec.outOfSample)
    throw new QtsError(
      'ERR_WALKFORWARD_WINDOWS',
      `--step ${step} is shorter than --out-of-sample ${spec.outOfSample}: out-of-sample windows would overlap`,
    );
  const n = ts.length;
  const out: WalkForwardWindow[] = [];
  for (let k = 0; ; k++) {
    const isStart = spec.mode === WalkForwardMode.ANCHORED ? 0 : k * step;
    const isEnd = spec.mode === WalkForwardMode.ANCHORED ? spec.inSample + k * step : isStart + spec.inSample;
    const oosEnd = isEnd + spec.outOfSample;
    if (oosEnd > n) break;
    out.push({
      index: k,
      isStart,
      isEnd,
      oosStart: isEnd,
      oosEnd,
      isFrom: ts[isStart] as number,
      isTo: ts[isEnd] as number,
      oosFrom: ts[isEnd] as number,
      oosTo: oosEnd < n ? (ts[oosEnd] as number) : null,
    });
  }
  if (out.length === 0) {
    throw new QtsError(
      'ERR_WALKFORWARD_WINDOWS',
      `${n} bars hold no window of ${spec.inSample} in-sample + ${spec.outOfSample} out-of-sample bars`,
    );
  }
  return out;
}
