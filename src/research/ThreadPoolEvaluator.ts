import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { QtsError } from '../core/QtsError.js';
import type { BarSeries } from '../model/BarSeries.js';
import type { BacktestSettings } from './BacktestSettings.js';
import type { ComboEvaluator } from './ComboEvaluator.js';
import type { ComboMetrics } from './ComboMetrics.js';
import type { ComboTask } from './ComboTask.js';
import type { SharedSeries } from './SharedSeries.js';
import { shareSeries } from './SharedSeries.js';

/** What every worker thread starts with (workerData): shared memory is shared, not copied. */
export interface ThreadInit {
  readonly series: readonly SharedSeries[];
  readonly strategyId: string;
  readonly settings: BacktestSettings;
}

/** A worker thread's answer to one task. */
export type ThreadReply =
  | { readonly id: number; readonly metrics: ComboMetrics }
  | { readonly id: number; readonly error: { readonly code: string; readonly message: string } };

/** Options of {@link ThreadPoolEvaluator.start}. */
export interface ThreadPoolOptions {
  readonly series: readonly BarSeries[];
  /** A built-in strategy id: threads find the class in the registry. */
  readonly strategyId: string;
  readonly settings: BacktestSettings;
  /** Worker threads; default: every core. */
  readonly workers?: number;
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
 * into SharedArrayBuffers that every thread reads; each idle thread takes the next task, so
 * slow and fast combinations balance out, and results are put back in task order: the
 * outcome is the same for 1 or 16 threads.
 */
export class ThreadPoolEvaluator implements ComboEvaluator {
  private batch: Batch | undefined;
  private failed: QtsError | undefined;

  private constructor(private readonly workers: readonly Worker[]) {
    workers.forEach((w) => {
      w.on('message', (reply: ThreadReply) => this.onReply(w, reply));
      w.on('error', (e) =>
        this.fail(new QtsError('ERR_RESEARCH_WORKER', `worker thread failed: ${e.message}`)),
      );
      w.on('exit', (code) => {
        if (code !== 0)
          this.fail(new QtsError('ERR_RESEARCH_WORKER', `worker thread exited with code ${code}`));
      });
    });
  }

  /** Starts the threads; they load the strategy before the first task arrives. */
  static start(opts: ThreadPoolOptions): ThreadPoolEvaluator {
    const n = opts.workers ?? availableParallelism();
    if (!Number.isSafeInteger(n) || n < 1)
      throw new QtsError('ERR_INVALID_OPTION', `workers: need at least 1, got ${n}`);
    const init: ThreadInit = {
      series: opts.series.map(shareSeries),
      strategyId: opts.strategyId,
      settings: opts.settings,
    };
    return new ThreadPoolEvaluator(Array.from({ length: n }, () => spawnComboWorker(init)));
  }

  /** Number of threads. */
  get size(): number {
    return this.workers.length;
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
      for (const w of this.workers) this.feed(w, batch);
    });
  }

  async close(): Promise<void> {
    this.failed ??= new QtsError('ERR_RESEARCH_CLOSED', 'the worker pool was closed');
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private feed(w: Worker, batch: Batch): void {
    if (batch.next >= batch.tasks.length) return;
    const id = batch.next++;
    w.postMessage({ id, task: batch.tasks[id] });
  }

  private onReply(w: Worker, reply: ThreadReply): void {
    const batch = this.batch;
    if (!batch) return;
    if ('error' in reply) {
      this.fail(new QtsError(reply.error.code, reply.error.message));
      return;
    }
    batch.results[reply.id] = reply.metrics;
    batch.done++;
    batch.onDone?.(batch.done);
    if (batch.done === batch.tasks.length) {
      this.batch = undefined;
      batch.resolve(batch.results as ComboMetrics[]);
    } else {
      this.feed(w, batch);
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

/**
 * A thread running comboWorker. From the TypeScript sources (tsx, vitest) the thread first
 * registers tsx's loader, which Node 20 threads do not inherit; compiled, it runs the .js.
 */
function spawnComboWorker(init: ThreadInit): Worker {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new Worker(new URL('./comboWorker.js', self), { workerData: init });
  // tsx's ESM API (the .mjs build: its .cjs twin resolves its loader wrongly when imported).
  const api = createRequire(self)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs');
  const entry = new URL('./comboWorker.ts', self).href;
  const code = `import(${JSON.stringify(pathToFileURL(api).href)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true, workerData: init });
}
