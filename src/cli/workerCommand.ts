import type { Command } from 'commander';
import { DEFAULT_QUEUE_NAME, redactedUrl } from '../research/queue/researchQueue.js';
import { integer } from './researchOptions.js';

interface WorkerOptions {
  readonly queue: string;
  readonly queueName: string;
  readonly concurrency: string;
  readonly allowStrategyFiles?: boolean;
  readonly quiet?: boolean;
}

/** `qts worker`: runs optimization backtests from a Redis queue until stopped. */
export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description(
      'run backtests of `qts optimize|walk-forward --queue` runs from a Redis (BullMQ) queue, until SIGINT/SIGTERM',
    )
    .requiredOption('--queue <url>', 'Redis of the queue (redis://host:port/db)')
    .option('--queue-name <name>', 'BullMQ queue name', DEFAULT_QUEUE_NAME)
    .option(
      '--concurrency <n>',
      'jobs at once in this process (backtests are CPU-bound: start one process per core instead)',
      '1',
    )
    .option(
      '--allow-strategy-files',
      'also run a strategy file a run names (its absolute path on this machine, imported here): ' +
        'whoever can write to the queue then chooses code this process runs. Without it, only ' +
        'built-in strategy ids run and such jobs fail with ERR_STRATEGY_FILE_NOT_ALLOWED',
    )
    .option('--quiet', 'no line per finished job (failed jobs are still reported on stderr)')
    .action(async (o: WorkerOptions) => {
      const concurrency = integer('concurrency', o.concurrency, 1);
      // Loaded when a worker starts, not with every `qts` command (BullMQ and Redis client).
      const { startQueueWorker } = await import('../research/queue/startQueueWorker.js');
      const allowStrategyFiles = o.allowStrategyFiles === true;
      const worker = startQueueWorker({
        url: o.queue,
        queueName: o.queueName,
        concurrency,
        allowStrategyFiles,
        onJob: (n, job, error) => {
          // A job that is not one of a run has no run to name: the error quotes its data.
          const line = job
            ? `job ${n}: run ${job.runId} batch ${job.batch} #${job.i}`
            : `job ${n} (not a job of a run)`;
          if (error) process.stderr.write(`${line} failed: ${error.code}: ${error.message}\n`);
          else if (o.quiet !== true) process.stdout.write(`${line}\n`);
        },
        // One line per outage, even with --quiet: a worker waiting for Redis looks idle otherwise.
        onRedis: (s) =>
          process.stderr.write(
            s.up ? `Redis at ${redactedUrl(o.queue)} answers again\n` : `${s.code}: ${s.message}\n`,
          ),
      });
      await worker.ready;
      const files = allowStrategyFiles
        ? 'built-in strategies and strategy files'
        : 'built-in strategies only';
      process.stdout.write(
        `worker ready on queue "${o.queueName}" at ${redactedUrl(o.queue)} (pid ${process.pid}; ${files})\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = (): void => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await worker.close();
      process.stdout.write(`worker stopped after ${worker.processed()} jobs\n`);
    });
}
