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
import type { ComboJob, RedisState } from './researchQueue.js';
import {
  DEFAULT_QUEUE_NAME,
  RUN_TTL_SECONDS,
  comboJobOf,
  redisOptionsFromUrl,
  runKeys,
  watchRedis,
} from './researchQueue.js';
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
  /**
   * Called after each job with the number done so far, and its error when it failed. `job` is
   * undefined for data that is not a job of a run (the error, ERR_QUEUE_BAD_JOB, says why).
   */
  readonly onJob?: (done: number, job: ComboJob | undefined, error?: QueueError) => void;
  /** Redis going away (once per outage, with its cause) and answering again. */
  readonly onRedis?: (state: RedisState) => void;
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
 * Writes a reply only while its run exists (its spec key): a run that ended, or that Redis
 * lost, has no reader for it, and the results hash would otherwise stay for a day.
 */
const WRITE_IF_RUN_LIVE = `if redis.call('exists', KEYS[1]) == 0 then return 0 end
redis.call('hset', KEYS[2], ARGV[1], ARGV[2])
redis.call('expire', KEYS[2], ARGV[3])
return 1`;

const runGone = (runId: string): QtsError =>
  new QtsError('ERR_QUEUE_RUN_GONE', `run ${runId} has no data in Redis (finished or expired)`);

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
    // A loaded run may have ended since (its jobs can outlive it): one EXISTS per job, small
    // beside a backtest, keeps a worker from running a run nobody waits for any more.
    if (cached && (await redis.exists(runKeys.spec(runId))) === 1) return cached;
    runs.delete(runId);
    const specText = await redis.get(runKeys.spec(runId));
    if (specText === null) throw runGone(runId);
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
    async (job: Job<unknown>) => {
      let data: ComboJob | undefined;
      let reply: QueueReply;
      try {
        data = comboJobOf(job.data);
        const run = await load(data.runId);
        checkTaskFields(data.runId, data.task);
        reply = { metrics: evaluateCombo(run.series, run.strategy, run.settings, data.task) };
      } catch (e) {
        reply = {
          error: isQtsError(e)
            ? { code: e.code, message: e.message }
            : { code: 'ERR_RESEARCH_WORKER', message: e instanceof Error ? e.message : String(e) },
        };
      }
      if (data !== undefined) {
        const { runId, batch, i } = data;
        const key = runKeys.results(runId, batch);
        const args = [String(i), JSON.stringify(reply), String(RUN_TTL_SECONDS)];
        const written = await redis.eval(WRITE_IF_RUN_LIVE, 2, runKeys.spec(runId), key, ...args);
        if (written === 0 && !('error' in reply)) {
          const e = runGone(runId);
          reply = { error: { code: e.code, message: e.message } };
        }
      }
      processed++;
      o.onJob?.(processed, data, 'error' in reply ? reply.error : undefined);
    },
    { connection: { ...connection }, concurrency: o.concurrency ?? 1 },
  );
  watchRedis(o.url, [redis, worker], redis, (s) => o.onRedis?.(s));
  return {
    processed: () => processed,
    ready: worker.waitUntilReady().then(() => undefined),
    async close() {
      await worker.close();
      redis.disconnect();
    },
  };
}
