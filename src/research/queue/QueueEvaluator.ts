import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { QtsError } from '../../core/QtsError.js';
import type { BarSeries } from '../../model/BarSeries.js';
import type { BacktestSettings } from '../BacktestSettings.js';
import type { ComboEvaluator } from '../ComboEvaluator.js';
import type { ComboMetrics } from '../ComboMetrics.js';
import type { ComboTask } from '../ComboTask.js';
import { seriesToBytes } from '../SharedSeries.js';
import type { ComboJob } from './researchQueue.js';
import { DEFAULT_QUEUE_NAME, RUN_TTL_SECONDS, jobId, redisOptionsFromUrl, runKeys } from './researchQueue.js';
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

  private constructor(
    private readonly redis: Redis,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly runId: string,
    private readonly pollMs: number,
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
    try {
      await redis.connect();
    } catch (e) {
      redis.disconnect();
      throw new QtsError('ERR_QUEUE_CONNECT', `cannot reach Redis at ${o.url}: ${(e as Error).message}`);
    }
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
    await events.waitUntilReady();
    return new QueueEvaluator(redis, queue, events, o.runId, o.pollMs ?? 100);
  }

  async evaluate(tasks: readonly ComboTask[], onDone?: (done: number) => void): Promise<ComboMetrics[]> {
    if (tasks.length === 0) return [];
    const batch = this.batchNo++;
    const key = runKeys.results(this.runId, batch);
    await this.queue.addBulk(
      tasks.map((task, i) => {
        const data: ComboJob = { runId: this.runId, batch, i, task };
        return {
          name: 'combo',
          data,
          opts: { jobId: jobId(data), removeOnComplete: true, removeOnFail: 1000, attempts: 1 },
        };
      }),
    );
    let seen = 0;
    for (;;) {
      if (this.failure) throw this.failure;
      const done = await this.redis.hlen(key);
      if (done !== seen) {
        seen = done;
        onDone?.(done);
      }
      if (done >= tasks.length) break;
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
    const raw = await this.redis.hgetall(key);
    await this.redis.del(key);
    return tasks.map((_, i) => {
      const text = raw[String(i)];
      if (text === undefined)
        throw new QtsError('ERR_QUEUE_RESULT', `result ${i} of batch ${batch} is missing`);
      const reply = JSON.parse(text) as QueueReply;
      if ('error' in reply) throw new QtsError(reply.error.code, reply.error.message);
      return reply.metrics;
    });
  }

  /** Removes the run's keys and closes the connections (jobs already taken finish on their workers). */
  async close(): Promise<void> {
    const keys = await this.redis.keys(`qts:research:${this.runId}:*`);
    if (keys.length > 0) await this.redis.del(...keys);
    await this.events.close();
    await this.queue.close();
    this.redis.disconnect();
  }
}
