import type { Command } from 'commander';
import { DEFAULT_QUEUE_NAME } from '../research/queue/researchQueue.js';
import { integer } from './optimizeCommand.js';

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
    .option('--quiet', 'no line per finished job')
    .action(async (o: { queue: string; queueName: string; concurrency: string; quiet?: boolean }) => {
      const concurrency = integer('concurrency', o.concurrency, 1);
      // Loaded when a worker starts, not with every `qts` command (BullMQ and Redis client).
      const { startQueueWorker } = await import('../research/queue/startQueueWorker.js');
      const worker = startQueueWorker({
        url: o.queue,
        queueName: o.queueName,
        concurrency,
        ...(o.quiet
          ? {}
          : {
              onJob: (n, job) =>
                process.stdout.write(`job ${n}: run ${job.runId} batch ${job.batch} #${job.i}\n`),
            }),
      });
      await worker.ready;
      process.stdout.write(`worker ready on queue "${o.queueName}" at ${o.queue} (pid ${process.pid})\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await worker.close();
      process.stdout.write(`worker stopped after ${worker.processed()} jobs\n`);
    });
}
