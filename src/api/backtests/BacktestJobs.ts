import { existsSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { BacktestReport } from '../../backtest/BacktestReport.js';
import { validateParams } from '../../backtest/validateParams.js';
import { QtsError } from '../../core/QtsError.js';
import { siblingWorker } from '../../core/siblingWorker.js';
import { findStrategy } from '../../strategies/registry.js';
import type {
  BacktestRequest,
  BacktestSource,
  BacktestTask,
  BacktestWorkerMessage,
} from './BacktestRequest.js';
import { settingsOf } from './BacktestRequest.js';

export interface BacktestJobsOptions {
  /** The engine's database, read (read-only) for stored candles; undefined = files only. */
  readonly dbPath: string | undefined;
  /** Candle files may be named relative to this folder, and only there. */
  readonly dataDir: string;
  readonly defaultExchange: string;
  readonly maxRunning: number;
  readonly now: () => number;
  /** Finished jobs kept for GET; the oldest go first. */
  readonly keep?: number;
  /** Jobs waiting for a free worker before new ones are refused. */
  readonly maxQueued?: number;
}

export type BacktestJobStatus = 'queued' | 'running' | 'done' | 'failed';

/** A backtest job as the API shows it; `report` once done. */
export interface BacktestJob {
  readonly id: string;
  status: BacktestJobStatus;
  readonly strategy: string;
  readonly data: string;
  readonly createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  progress: { done: number; total: number };
  error: { code: string; message: string } | null;
  report: BacktestReport | null;
}

/** The worker beside this file (the .ts through tsx from sources, see siblingWorker). */
function startWorker(task: BacktestTask): Worker {
  return siblingWorker(import.meta.url, 'backtestWorker', { workerData: task });
}

/**
 * Backtests on request, each in a worker thread: POST validates and queues (unknown
 * strategy, bad params, missing data are refused at once with their code), a bounded
 * number run at a time, and GET shows progress and then the report.
 */
export class BacktestJobs {
  private readonly jobs = new Map<string, BacktestJob>();
  private readonly tasks = new Map<string, BacktestTask>();
  private readonly queue: string[] = [];
  private readonly workers = new Map<string, Worker>();
  private seq = 0;
  private closed = false;

  constructor(private readonly opts: BacktestJobsOptions) {}

  submit(req: BacktestRequest): BacktestJob {
    if (this.closed) throw new QtsError('ERR_SHUTTING_DOWN', 'the server is stopping');
    const strategy = findStrategy(req.strategy);
    validateParams(strategy, req.params);
    if (this.queue.length >= (this.opts.maxQueued ?? 20))
      throw new QtsError('ERR_BACKTEST_BUSY', 'too many backtests waiting; try again when some finish');
    const source = this.sourceOf(req);
    const task: BacktestTask = {
      source,
      strategy: req.strategy,
      params: req.params,
      settings: settingsOf(req),
    };
    this.seq += 1;
    const id = `bt${this.opts.now().toString(36)}${this.seq}`;
    const job: BacktestJob = {
      id,
      status: 'queued',
      strategy: req.strategy,
      data:
        source.kind === 'file' ? (req.file ?? '') : `${source.exchange} ${source.symbol} ${source.timeframe}`,
      createdAt: this.opts.now(),
      startedAt: null,
      finishedAt: null,
      progress: { done: 0, total: 0 },
      error: null,
      report: null,
    };
    this.jobs.set(id, job);
    this.tasks.set(id, task);
    this.queue.push(id);
    this.forget();
    this.pump();
    return job;
  }

  get(id: string): BacktestJob | undefined {
    return this.jobs.get(id);
  }

  /** Newest first, without reports. */
  list(): BacktestJob[] {
    return [...this.jobs.values()].reverse().map((j) => ({ ...j, report: null }));
  }

  /** Stops every running worker (server shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    await Promise.all([...this.workers.values()].map((w) => w.terminate()));
  }

  private sourceOf(req: BacktestRequest): BacktestSource {
    if (req.file !== undefined)
      return { kind: 'file', path: this.dataFile(req.file), from: req.from, to: req.to };
    const exchange = req.exchange ?? this.opts.defaultExchange;
    const dbPath = this.opts.dbPath;
    if (dbPath === undefined || req.symbol === undefined || req.timeframe === undefined)
      throw new QtsError('ERR_BACKTEST_NO_DATA', 'no candle database here: name a data file');
    return {
      kind: 'db',
      dbPath,
      exchange,
      symbol: req.symbol,
      timeframe: req.timeframe,
      from: req.from,
      to: req.to,
    };
  }

  /** A file under the data folder, symlinks resolved: anything that leads outside is refused. */
  private dataFile(name: string): string {
    const root = resolve(this.opts.dataDir);
    const where = `api.backtestDataDir (${root})`;
    if (isAbsolute(name) || name.split('/').includes('..'))
      throw new QtsError('ERR_BAD_REQUEST', `file must be a relative name inside ${where}`);
    const path = resolve(root, name);
    if (!existsSync(root) || !existsSync(path) || !statSync(path).isFile())
      throw new QtsError('ERR_BACKTEST_NO_DATA', `no data file ${name} in ${where}`);
    const rel = relative(realpathSync(root), realpathSync(path));
    if (rel.startsWith('..') || isAbsolute(rel))
      throw new QtsError('ERR_BAD_REQUEST', `file ${name} leads outside ${where}`);
    return path;
  }

  private pump(): void {
    while (!this.closed && this.workers.size < this.opts.maxRunning && this.queue.length > 0) {
      const id = this.queue.shift() as string;
      const job = this.jobs.get(id);
      const task = this.tasks.get(id);
      this.tasks.delete(id);
      if (job === undefined || task === undefined) continue;
      job.status = 'running';
      job.startedAt = this.opts.now();
      const worker = startWorker(task);
      this.workers.set(id, worker);
      worker.on('message', (m: BacktestWorkerMessage) => this.onMessage(job, m));
      worker.on('error', (e) => this.finish(job, { code: 'ERR_BACKTEST_FAILED', message: e.message }));
      worker.on('exit', () => {
        this.workers.delete(id);
        if (job.status === 'running')
          this.finish(job, { code: 'ERR_BACKTEST_FAILED', message: 'the backtest worker stopped' });
        this.pump();
      });
    }
  }

  private onMessage(job: BacktestJob, m: BacktestWorkerMessage): void {
    if (m.type === 'progress') job.progress = { done: m.done, total: m.total };
    else if (m.type === 'error') this.finish(job, { code: m.code, message: m.message });
    else {
      job.report = m.report as BacktestReport;
      job.progress = { done: job.progress.total, total: job.progress.total };
      this.finish(job, null);
    }
  }

  private finish(job: BacktestJob, error: { code: string; message: string } | null): void {
    if (job.status === 'done' || job.status === 'failed') return;
    job.status = error === null ? 'done' : 'failed';
    job.error = error;
    job.finishedAt = this.opts.now();
  }

  private forget(): void {
    const keep = this.opts.keep ?? 50;
    for (const [id, j] of this.jobs) {
      if (this.jobs.size <= keep) break;
      if (j.status === 'done' || j.status === 'failed') this.jobs.delete(id);
    }
  }
}
