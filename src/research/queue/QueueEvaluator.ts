import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { QtsError } from '../../core/QtsError.js';
import type { BarSeries } from '../../model/BarSeries.js';
import type { BacktestSettings } from '../BacktestSettings.js';
import type { ComboEvaluator } from '../ComboEvaluator.js';
import type { ComboMetrics } from '../ComboMetrics.js';
import type { ComboTask } from '../ComboTask.js';
import { seriesToBytes } from '../SharedSeries.js';
import type { ComboJob, RedisState } from './researchQueue.js';
import {
  DEFAULT_QUEUE_NAME,
  RUN_TTL_SECONDS,
  jobId,
  redactedUrl,
  redisOptionsFromUrl,
  runKeys,
  watchRedis,
} from './researchQueue.js';
import type { RunSpec } from './runSpec.js';
import { QUEUE_PROTOCOL } from './runSpec.js';
import type { QueueReply } from './startQueueWorker.js';

/** Options of {@link QueueEvaluator.open}. */
export interface QueueEvaluatorOptions {
  readonly url: string;
  readonly queueName?: string;
  /** Unique id of this run (keys and job ids); never part of a result. */
  readonly runId: string;
  readonly series: readonly BarSeries[];
  readonly strategyId: string;
  readonly settings: BacktestSettings;
  /** How often the results are counted (ms; default 100). */
  readonly pollMs?: number;
  /** Redis going away during the run (once per outage, with its cause) and answering again. */
  readonly onRedis?: (state: RedisState) => void;
}

/**
 * Runs combinations on `qts worker` processes, any number on any machine reaching the same
 * Redis. The run's data goes to Redis once (little-endian float64 columns, read by each
 * worker once per run); each task is a BullMQ job whose worker writes the metrics into the
 * run's results hash under the task's position, so results come back in task order and a
 * distributed run reports exactly what a local one does.
 */
export class QueueEvaluator implements ComboEvaluator {
  private batchNo = 0;
  private failure: QtsError | undefined;
  /** Job ids of the batch being evaluated, removed from the queue if the run stops before it ends. */
  private inFlight: string[] = [];
  private closed = false;

  private constructor(
    private readonly redis: Redis,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly runId: string,
    private readonly pollMs: number,
    private readonly seriesCount: number,
  ) {
    events.on('failed', ({ jobId: id, failedReason }) => {
      if (id.startsWith(`${runId}-`))
        this.failure ??= new QtsError('ERR_QUEUE_JOB_FAILED', `job ${id} failed: ${failedReason}`);
    });
  }

  /** Connects, stores the run's data and settings, and is ready to enqueue. */
  static async open(o: QueueEvaluatorOptions): Promise<QueueEvaluator> {
    const connection = redisOptionsFromUrl(o.url);
    const redis = new Redis({ ...connection, lazyConnect: true });
    // connect() rejects with "Connection is closed"; the cause (ECONNREFUSED, ENOTFOUND) comes as an event.
    let cause: Error | undefined;
    const onError = (e: Error): void => void (cause = e);
    redis.on('error', onError);
    try {
      await redis.connect();
    } catch (e) {
      redis.disconnect();
      const why = cause?.message ?? (e as Error).message;
      throw new QtsError('ERR_QUEUE_CONNECT', `cannot reach Redis at ${redactedUrl(o.url)}: ${why}`);
    }
    redis.off('error', onError);
    const spec: RunSpec = {
      protocol: QUEUE_PROTOCOL,
      strategyId: o.strategyId,
      backtest: o.settings,
      series: o.series.map((s) => ({ symbol: s.symbol, timeframe: s.timeframe, length: s.length })),
    };
    const tx = redis.multi().set(runKeys.spec(o.runId), JSON.stringify(spec), 'EX', RUN_TTL_SECONDS);
    o.series.forEach((s, k) => tx.set(runKeys.series(o.runId, k), seriesToBytes(s), 'EX', RUN_TTL_SECONDS));
    await tx.exec();
    const name = o.queueName ?? DEFAULT_QUEUE_NAME;
    const queue = new Queue(name, { connection: { ...connection } });
    const events = new QueueEvents(name, { connection: { ...connection } });
    watchRedis(o.url, [redis, queue, events], redis, (s) => o.onRedis?.(s));
    await events.waitUntilReady();
    return new QueueEvaluator(redis, queue, events, o.runId, o.pollMs ?? 100, o.series.length);
  }

  async evaluate(tasks: readonly ComboTask[], onDone?: (done: number) => void): Promise<ComboMetrics[]> {
    if (tasks.length === 0) return [];
    const batch = this.batchNo++;
    const key = runKeys.results(this.runId, batch);
    const jobs = tasks.map((task, i) => {
      const data: ComboJob = { runId: this.runId, batch, i, task };
      return {
        name: 'combo',
        data,
        opts: { jobId: jobId(data), removeOnComplete: true, removeOnFail: 1000, attempts: 1 },
      };
    });
    this.inFlight = jobs.map((j) => j.opts.jobId);
    await this.queue.addBulk(jobs);
    let seen = 0;
    for (;;) {
      if (this.failure) throw this.failure;
      const replies = await this.redis.multi().hlen(key).exists(runKeys.spec(this.runId)).exec();
      const done = Number(replies?.[0]?.[1] ?? 0);
      const spec = Number(replies?.[1]?.[1] ?? 0);
      // Gone with its jobs (a Redis restarted without persistence, flushed, or evicting):
      // no result can come any more, and without this the run would wait for ever.
      if (spec === 0)
        throw new QtsError(
          'ERR_QUEUE_RUN_GONE',
          `run ${this.runId} vanished from Redis during batch ${batch} (${done} of ${tasks.length} results in): ` +
            'was Redis restarted without persistence, flushed, or is it evicting keys (maxmemory-policy)?',
          { runId: this.runId },
        );
      if (done !== seen) {
        seen = done;
        onDone?.(done);
      }
      if (done >= tasks.length) break;
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
    const raw = await this.redis.hgetall(key);
    await this.redis.del(key);
    this.inFlight = [];
    return tasks.map((_, i) => {
      const text = raw[String(i)];
      if (text === undefined)
        throw new QtsError('ERR_QUEUE_RESULT', `result ${i} of batch ${batch} is missing`);
      let reply: QueueReply;
      try {
        reply = JSON.parse(text) as QueueReply;
      } catch {
        throw new QtsError(
          'ERR_QUEUE_RESULT',
          `result ${i} of batch ${batch} is not JSON: ${text.slice(0, 200)}`,
        );
      }
      if ('error' in reply) throw new QtsError(reply.error.code, reply.error.message);
      return reply.metrics;
    });
  }

  /**
   * Removes the run's queued jobs and keys and closes the connections. A job a worker has
   * already taken finishes there and its reply is dropped; without the removal, a run stopped
   * early (an error, a failed job) would leave its jobs queued, ahead of the next run's.
   */
  async close(): Promise<void> {
    // Once: a stop signal closes the run while the search, failing then, closes it again.
    if (this.closed) return;
    this.closed = true;
    // Removes a waiting job; one a worker holds is locked and stays (0).
    await Promise.all(this.inFlight.map((id) => this.queue.remove(id)));
    this.inFlight = [];
    // The run's keys by name: KEYS would scan (and block) a Redis that other runs share.
    const keys = [runKeys.spec(this.runId)];
    for (let k = 0; k < this.seriesCount; k++) keys.push(runKeys.series(this.runId, k));
    for (let b = 0; b < this.batchNo; b++) keys.push(runKeys.results(this.runId, b));
    await this.redis.del(...keys);
    await this.events.close();
    await this.queue.close();
    this.redis.disconnect();
  }
}
