import type { EquityCurve } from './types.js';

/**
 * The equity curve's two arrays, lent to one run at a time and reused by the next. A run
 * writes every point of its curve and nothing reads it once the report is built, so the
 * previous run's buffers serve the next one of the same length or shorter.
 *
 * Why: typed arrays live outside V8's heap, and V8 answers growth of that memory with full
 * collections. An optimizer's worker making 1.6 MB of curve per 100k-bar combination got one
 * every ~30 combinations, most of whose marking and sweeping ran on V8's helper threads: CPU
 * the other worker on a busy machine then lacks. The spare is held weakly, so a full
 * collection still frees it: an idle process keeps nothing for the next run.
 */
export class CurveBuffers {
  private spare: WeakRef<EquityCurve> | undefined;

  /** A curve of `n` points (contents undefined: the run writes each one). */
  take(n: number): EquityCurve {
    const spare = this.spare?.deref();
    this.spare = undefined;
    if (spare !== undefined && spare.ts.length >= n && spare.equity.length >= n)
      return { ts: spare.ts.subarray(0, n), equity: spare.equity.subarray(0, n) };
    return { ts: new Float64Array(n), equity: new Float64Array(n) };
  }

  /** Hands a curve back once nothing will read it again. */
  give(curve: EquityCurve): void {
    const whole = (a: Float64Array): Float64Array =>
      new Float64Array(a.buffer, 0, a.buffer.byteLength / Float64Array.BYTES_PER_ELEMENT);
    const current = this.spare?.deref();
    if (current !== undefined && current.ts.length >= curve.ts.buffer.byteLength / 8) return;
    this.spare = new WeakRef({ ts: whole(curve.ts), equity: whole(curve.equity) });
  }
}

/** The buffers of this thread's backtests (each worker thread has its own module instance). */
export const curveBuffers = new CurveBuffers();
