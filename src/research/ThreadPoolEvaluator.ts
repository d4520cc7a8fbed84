import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { QtsError } from '../core/QtsError.js';
import { siblingWorker } from '../core/siblingWorker.js';
import type { BarSeries } from '../model/BarSeries.js';
import type { BacktestSettings } from './BacktestSettings.js';
import { CHUNK_TARGET_MS, chunkSize } from './chunkSize.js';
import type { ComboEvaluator } from './ComboEvaluator.js';
import type { ComboMetrics } from './ComboMetrics.js';
import type { ComboTask } from './ComboTask.js';
import { scavengeSwitch } from './ScavengeSwitch.js';
import { shareSeries } from './SharedSeries.js';
import type { ThreadCpu } from './threadCpu.js';
import type { FromThread, ThreadInit, ToThread } from './threadMessages.js';

/**
 * Young generation of each worker thread, MB (V8's default for a thread is 48). A backtest
 * makes short-lived objects (bars, events, orders) at a high rate; in a young generation
 * this size they die there instead of being promoted, which roughly halves the work of V8's
 * GC helper threads. That work matters on a full machine: one worker gets it done on an
 * idle core for free, two workers on two cores pay for it out of their own time.
 */
export const WORKER_YOUNG_GENERATION_MB = 192;

/** Messages a thread holds at once: it starts the next chunk without waiting for the main thread. */
const IN_FLIGHT = 2;

/** Options of {@link ThreadPoolEvaluator.start}. */
export interface ThreadPoolOptions {
  readonly series: readonly BarSeries[];
  /** A built-in strategy id, or a strategy file's absolute path: each thread loads it (loadStrategyRef). */
  readonly strategyId: string;
  readonly settings: BacktestSettings;
  /** Worker threads; default: every core. */
  readonly workers?: number;
  /** Young generation of each thread, MB; default {@link WORKER_YOUNG_GENERATION_MB}. */
  readonly youngGenerationMb?: number;
  /**
   * Work per message once a task's cost is known, ms; default {@link CHUNK_TARGET_MS}. A test
   * sets it very high so that only the even-share rule sizes the chunks, whatever the load.
   */
  readonly chunkTargetMs?: number;
}

/** What one worker thread has done since it started (cumulative; subtract two readings). */
export interface WorkerUsage {
  /** Tasks it backtested, and the messages (chunks) they came in. */
  readonly tasks: number;
  readonly chunks: number;
  /** Its own CPU time and run-queue wait (Linux), null where the kernel does not tell. */
  readonly cpu: ThreadCpu | null;
  /** Event-loop time running messages, and waiting for one (starved by the main thread). */
  readonly activeMs: number;
  readonly idleMs: number;
}

interface Slot {
  readonly worker: Worker;
  inFlight: number;
  tasks: number;
  chunks: number;
  readonly usageWaiters: ((cpu: ThreadCpu | null) => void)[];
}

interface Batch {
  readonly tasks: readonly ComboTask[];
  readonly results: (ComboMetrics | undefined)[];
  next: number;
  done: number;
  readonly onDone: ((done: number) => void) | undefined;
  readonly resolve: (r: ComboMetrics[]) => void;
  readonly reject: (e: unknown) => void;
}

/**
 * Backtests combinations on worker threads, all cores by default. The data is copied once
 * into SharedArrayBuffers that every thread reads. Tasks go out in chunks of about 20 ms of
 * work, two per thread at a time, so a thread never waits for the main thread between
 * tasks (on a loaded machine the main thread may not get a core for milliseconds); chunks
 * shrink towards the end of a batch so every thread finishes at nearly the same time.
 * Results are put back in task order: the outcome is the same for 1 or 16 threads. While a
 * pool has a thread on every core, V8's scavenges run serially ({@link ScavengeSwitch}).
 */
export class ThreadPoolEvaluator implements ComboEvaluator {
  private batch: Batch | undefined;
  private failed: QtsError | undefined;
  /** Mean wall time of a task in the latest timed chunks, ms: sizes the next chunks. */
  private msPerTask: number | undefined;
  private readonly slots: Slot[];

  private constructor(
    workers: readonly Worker[],
    private readonly releaseScavenges: () => void,
    private readonly chunkTargetMs: number,
  ) {
    this.slots = workers.map((worker) => ({ worker, inFlight: 0, tasks: 0, chunks: 0, usageWaiters: [] }));
    for (const slot of this.slots) {
      const w = slot.worker;
      w.on('message', (msg: FromThread) => this.onMessage(slot, msg));
      w.on('error', (e) =>
        this.fail(new QtsError('ERR_RESEARCH_WORKER', `worker thread failed: ${e.message}`)),
      );
      w.on('exit', (code) => {
        for (const wake of slot.usageWaiters.splice(0)) wake(null);
        if (code !== 0)
          this.fail(new QtsError('ERR_RESEARCH_WORKER', `worker thread exited with code ${code}`));
      });
    }
  }

  /** Starts the threads; they load the strategy before the first task arrives. */
  static start(opts: ThreadPoolOptions): ThreadPoolEvaluator {
    const n = opts.workers ?? availableParallelism();
    if (!Number.isSafeInteger(n) || n < 1)
      throw new QtsError('ERR_INVALID_OPTION', `workers: need at least 1, got ${n}`);
    const young = opts.youngGenerationMb ?? WORKER_YOUNG_GENERATION_MB;
    if (!Number.isSafeInteger(young) || young < 1)
      throw new QtsError('ERR_INVALID_OPTION', `youngGenerationMb: need at least 1, got ${young}`);
    const init: ThreadInit = {
      series: opts.series.map(shareSeries),
      strategyId: opts.strategyId,
      settings: opts.settings,
    };
    const target = opts.chunkTargetMs ?? CHUNK_TARGET_MS;
    if (!(target > 0))
      throw new QtsError('ERR_INVALID_OPTION', `chunkTargetMs: need a positive number, got ${target}`);
    const release = scavengeSwitch.acquire(n);
    return new ThreadPoolEvaluator(
      Array.from({ length: n }, () => spawnComboWorker(init, young)),
      release,
      target,
    );
  }

  /** Number of threads. */
  get size(): number {
    return this.slots.length;
  }

  evaluate(tasks: readonly ComboTask[], onDone?: (done: number) => void): Promise<ComboMetrics[]> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.batch) return Promise.reject(new Error('ThreadPoolEvaluator runs one batch at a time'));
    if (tasks.length === 0) return Promise.resolve([]);
    return new Promise<ComboMetrics[]>((resolve, reject) => {
      const batch: Batch = {
        tasks,
        results: new Array<ComboMetrics | undefined>(tasks.length),
        next: 0,
        done: 0,
        onDone,
        resolve,
        reject,
      };
      this.batch = batch;
      for (const slot of this.slots) this.feed(slot, batch);
    });
  }

  /**
   * What each thread has done since it started: tasks, CPU time, run-queue wait and event
   * loop activity. Asked of the threads, so it answers after the chunks they hold.
   */
  async usage(): Promise<WorkerUsage[]> {
    return Promise.all(
      this.slots.map(async (slot) => {
        const cpu = await new Promise<ThreadCpu | null>((resolve) => {
          slot.usageWaiters.push(resolve);
          slot.worker.postMessage({ kind: 'usage' } satisfies ToThread);
        });
        const elu = slot.worker.performance.eventLoopUtilization();
        return { tasks: slot.tasks, chunks: slot.chunks, cpu, activeMs: elu.active, idleMs: elu.idle };
      }),
    );
  }

  async close(): Promise<void> {
    this.failed ??= new QtsError('ERR_RESEARCH_CLOSED', 'the worker pool was closed');
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.releaseScavenges();
  }

  /** Tops the thread up to {@link IN_FLIGHT} chunks while the batch has tasks left. */
  private feed(slot: Slot, batch: Batch): void {
    while (slot.inFlight < IN_FLIGHT && batch.next < batch.tasks.length) {
      const first = batch.next;
      const n = chunkSize(batch.tasks.length - first, this.slots.length, this.msPerTask, this.chunkTargetMs);
      batch.next += n;
      slot.inFlight++;
      slot.worker.postMessage({
        kind: 'run',
        first,
        tasks: batch.tasks.slice(first, first + n),
      } satisfies ToThread);
    }
  }

  private onMessage(slot: Slot, msg: FromThread): void {
    if (msg.kind === 'usage') {
      slot.usageWaiters.shift()?.(msg.cpu);
      return;
    }
    slot.inFlight--;
    if (msg.kind === 'failed') {
      this.fail(new QtsError(msg.error.code, msg.error.message));
      return;
    }
    const batch = this.batch;
    if (!batch) return;
    const n = msg.metrics.length;
    for (let k = 0; k < n; k++) batch.results[msg.first + k] = msg.metrics[k];
    batch.done += n;
    slot.tasks += n;
    slot.chunks++;
    // Weighted towards the latest chunks: walk-forward windows differ in cost.
    const ms = msg.ms / n;
    this.msPerTask = this.msPerTask === undefined ? ms : 0.7 * this.msPerTask + 0.3 * ms;
    batch.onDone?.(batch.done);
    if (batch.done === batch.tasks.length) {
      this.batch = undefined;
      batch.resolve(batch.results as ComboMetrics[]);
    } else {
      this.feed(slot, batch);
    }
  }

  private fail(e: QtsError): void {
    if (this.failed) return;
    this.failed = e;
    const batch = this.batch;
    this.batch = undefined;
    batch?.reject(e);
  }
}

/** A thread running comboWorker (the .ts through tsx from sources, see siblingWorker). */
function spawnComboWorker(init: ThreadInit, youngGenerationMb: number): Worker {
  return siblingWorker(import.meta.url, 'comboWorker', {
    workerData: init,
    resourceLimits: { maxYoungGenerationSizeMb: youngGenerationMb },
  });
}
