import { Worker } from 'bullmq';
import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import { loadStrategyRef } from '../../backtest/loadStrategyRef.js';
import { QtsError, isQtsError } from '../../core/QtsError.js';
import type { BarSeries } from '../../model/BarSeries.js';
import { isStrategyPath } from '../../strategies/loadStrategy.js';
import type { AnyStrategyClass } from '../../strategy/Strategy.js';
import type { BacktestSettings } from '../BacktestSettings.js';
import type { ComboMetrics } from '../ComboMetrics.js';
import { evaluateCombo } from '../evaluateCombo.js';
import { seriesFromBytes } from '../SharedSeries.js';
import type { ComboJob } from './researchQueue.js';
import { DEFAULT_QUEUE_NAME, RUN_TTL_SECONDS, redisOptionsFromUrl, runKeys } from './researchQueue.js';
import { checkTaskFields, parseRunSpec } from './runSpec.js';

/** What a worker writes into a run's results hash for one task. */
export type QueueReply = { readonly metrics: ComboMetrics } | { readonly error: QueueError };

/** Options of {@link startQueueWorker}. */
export interface QueueWorkerOptions {
  readonly url: string;
  readonly queueName?: string;
  /** Jobs run at once in this process (backtests are CPU-bound: 1 per process, one process per core). */
  readonly concurrency?: number;
  /**
   * Whether a run may name a strategy file (an absolute path on this machine), which the worker
   * then imports: whoever can write to the queue's Redis chooses the code it runs. Off, such a
   * run's jobs fail with ERR_STRATEGY_FILE_NOT_ALLOWED and only built-in ids run.
   */
  readonly allowStrategyFiles?: boolean;
  /** Called after each job with the number done so far, and its error when it failed. */
  readonly onJob?: (done: number, job: ComboJob, error?: QueueError) => void;
}

/** A job's failure as it goes back to the run's coordinator. */
export interface QueueError {
  readonly code: string;
  readonly message: string;
}

/** A running queue worker. */
export interface QueueWorkerHandle {
  /** Jobs completed. */
  readonly processed: () => number;
  /** Resolves once connected and waiting for jobs. */
  readonly ready: Promise<void>;
  /** Finishes the job in hand, then disconnects. */
  close(): Promise<void>;
}

interface LoadedRun {
  readonly series: BarSeries[];
  readonly strategy: AnyStrategyClass;
  readonly settings: BacktestSettings;
}

/** Runs whose data stays loaded: a worker usually serves one run at a time. */
const RUNS_KEPT = 2;

/**
 * The `qts worker` loop: takes combination jobs from the BullMQ queue, loads each run's data
 * from Redis the first time it sees the run, backtests with the same function the local
 * optimizer uses, and writes the metrics (or a coded error) under the task's position.
 */
export function startQueueWorker(o: QueueWorkerOptions): QueueWorkerHandle {
  const connection = redisOptionsFromUrl(o.url);
  const redis = new Redis(connection);
  const runs = new Map<string, LoadedRun>();
  let processed = 0;

  const load = async (runId: string): Promise<LoadedRun> => {
    const cached = runs.get(runId);
    if (cached) return cached;
    const specText = await redis.get(runKeys.spec(runId));
    if (specText === null)
      throw new QtsError('ERR_QUEUE_RUN_GONE', `run ${runId} has no data in Redis (finished or expired)`);
    const spec = parseRunSpec(runId, specText);
    // Before any of the run is loaded: the file is never imported, and the worker goes on.
    if (isStrategyPath(spec.strategyId) && o.allowStrategyFiles !== true)
      throw new QtsError(
        'ERR_STRATEGY_FILE_NOT_ALLOWED',
        `run ${runId} names the strategy file ${spec.strategyId}, and this worker runs built-in ` +
          'strategies only: start it with `qts worker --allow-strategy-files` to load files a run names ' +
          '(whoever can write to its Redis then chooses code it runs)',
        { file: spec.strategyId },
      );
    const series = await Promise.all(
      spec.series.map(async (s, k) => {
        const bytes = await redis.getBuffer(runKeys.series(runId, k));
        if (bytes === null)
          throw new QtsError('ERR_QUEUE_RUN_GONE', `run ${runId} lost its series ${s.symbol}`);
        return seriesFromBytes(s.symbol, s.timeframe, bytes);
      }),
    );
    // A built-in id, or the absolute path of a strategy file, which must be at that path here too.
    const strategy = await loadStrategyRef(spec.strategyId);
    const run = { series, strategy, settings: spec.backtest };
    runs.set(runId, run);
    if (runs.size > RUNS_KEPT) runs.delete(runs.keys().next().value as string);
    return run;
  };

  const worker = new Worker(
    o.queueName ?? DEFAULT_QUEUE_NAME,
    async (job: Job<ComboJob>) => {
      const { runId, batch, i, task } = job.data;
      let reply: QueueReply;
      try {
        const run = await load(runId);
        checkTaskFields(runId, task);
        reply = { metrics: evaluateCombo(run.series, run.strategy, run.settings, task) };
      } catch (e) {
        reply = {
          error: isQtsError(e)
            ? { code: e.code, message: e.message }
            : { code: 'ERR_RESEARCH_WORKER', message: e instanceof Error ? e.message : String(e) },
        };
      }
      const key = runKeys.results(runId, batch);
      await redis.multi().hset(key, String(i), JSON.stringify(reply)).expire(key, RUN_TTL_SECONDS).exec();
      processed++;
      o.onJob?.(processed, job.data, 'error' in reply ? reply.error : undefined);
    },
    { connection: { ...connection }, concurrency: o.concurrency ?? 1 },
  );
  return {
    processed: () => processed,
    ready: worker.waitUntilReady().then(() => undefined),
    async close() {
      await worker.close();
      redis.disconnect();
    },
  };
}
