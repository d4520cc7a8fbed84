import type { EquityPoint } from '../../backtest/BacktestReport.js';
import type { EquitySampleStore } from '../../storage/sqlite/EquitySampleStore.js';

/** Where and how often an EquityHistory keeps its samples beyond the process. */
export interface EquityPersistence {
  readonly store: EquitySampleStore;
  /** The run whose samples these are (kept beside each sample). */
  readonly runId: string;
  /** At most one stored sample per this interval (the in-memory curve is finer). */
  readonly sampleMs: number;
  /** Stored samples kept; older ones are deleted. */
  readonly maxSamples: number;
}

/**
 * At most `max` (≥ 2) of `points`, evenly thinned, always keeping the newest point and the
 * peak — a chart's drawdown is measured from the peak, which thinning must not smooth away.
 */
export function thinPoints(points: readonly EquityPoint[], max: number): EquityPoint[] {
  const last = points[points.length - 1];
  if (points.length <= max || last === undefined) return [...points];
  let peak = last;
  for (const p of points) if (p.equity > peak.equity) peak = p;
  if (max < 3) return peak === last ? [points[0] ?? last, last] : [peak, last];
  // Room for the peak and the last point beside the evenly spaced ones.
  const every = Math.ceil(points.length / (max - 2));
  const out = points.filter((p, i) => i % every === 0 || p === peak);
  if (out[out.length - 1] !== last) out.push(last);
  return out;
}

/** Stored points are pruned once per this many writes, not on every one. */
const PRUNE_EVERY = 500;

/**
 * The engine's equity over time. In memory and bounded for this run: a sample at most every
 * `minIntervalMs`, and when the buffer is full every other old point is dropped, so a long
 * run keeps its whole shape at a coarser step. With `persist`, a sample at most every
 * `sampleMs` also goes to SQLite, and the curve served is the stored history of earlier runs
 * followed by this run's points — so a restart does not start the curve (and the dashboard's
 * drawdown from its peak) from nothing.
 */
export class EquityHistory {
  private readonly points: EquityPoint[] = [];
  private step: number;
  private lastStoredTs: number | undefined;
  /** The newest sample not yet stored (written by `flush` at a clean stop). */
  private pending: EquityPoint | undefined;
  private writes = 0;

  constructor(
    private readonly capacity = 5_000,
    minIntervalMs = 1_000,
    private readonly persist?: EquityPersistence,
  ) {
    this.step = minIntervalMs;
  }

  add(ts: number, equity: number): void {
    if (!Number.isFinite(equity)) return;
    this.store(ts, equity);
    const last = this.points[this.points.length - 1];
    if (last !== undefined && ts - last.ts < this.step) return;
    this.points.push({ ts, equity });
    if (this.points.length >= this.capacity) {
      // Keep the first point, halve the rest: the curve's resolution halves, its span stays.
      const kept = this.points.filter((_, i) => i % 2 === 0);
      this.points.splice(0, this.points.length, ...kept);
      this.step *= 2;
    }
  }

  /** Stores the newest sample if the sampling interval held it back (call at a clean stop). */
  flush(): void {
    if (this.persist === undefined || this.pending === undefined) return;
    this.write(this.pending);
  }

  /** Points in [from, to), at most `max` (evenly thinned, last point kept). */
  range(from: number | undefined, to: number | undefined, max: number): EquityPoint[] {
    const inRange = (p: EquityPoint): boolean =>
      (from === undefined || p.ts >= from) && (to === undefined || p.ts < to);
    const mine = this.points.filter(inRange);
    if (this.persist === undefined) return thinPoints(mine, max);
    // Earlier runs from the database, up to where this run's own (finer) points begin.
    const firstMine = this.points[0]?.ts;
    const before = this.persist.store
      .range(from, firstMine === undefined ? to : Math.min(to ?? firstMine, firstMine))
      .map(({ ts, equity }) => ({ ts, equity }));
    return thinPoints([...before, ...mine], max);
  }

  private store(ts: number, equity: number): void {
    const p = this.persist;
    if (p === undefined) return;
    if (this.lastStoredTs !== undefined && ts - this.lastStoredTs < p.sampleMs) {
      this.pending = { ts, equity };
      return;
    }
    this.write({ ts, equity });
  }

  private write(point: EquityPoint): void {
    const p = this.persist;
    if (p === undefined) return;
    try {
      p.store.append({ ts: point.ts, equity: point.equity, runId: p.runId });
      if (this.writes++ % PRUNE_EVERY === 0) p.store.prune(p.maxSamples);
    } catch {
      // A chart sample never stops trading: a full disk shows in the database health check,
      // and the sample is tried again with the next one.
      this.pending = point;
      return;
    }
    this.lastStoredTs = point.ts;
    this.pending = undefined;
  }
}
