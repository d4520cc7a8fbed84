import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomWalkSeries } from '../../src/data/syntheticSeries.js';
import { writeBarSeriesCsv } from '../../src/data/writeBarSeriesCsv.js';
import { DEFAULT_BACKTEST_SETTINGS } from '../../src/research/BacktestSettings.js';
import type { ComboTask } from '../../src/research/ComboTask.js';
import { QueueEvaluator } from '../../src/research/queue/QueueEvaluator.js';
import type { ComboJob, RedisState } from '../../src/research/queue/researchQueue.js';
import type { QueueError, QueueWorkerHandle } from '../../src/research/queue/startQueueWorker.js';
import { startQueueWorker } from '../../src/research/queue/startQueueWorker.js';
import type { RedisServer } from '../support/redis.js';
import { HAS_REDIS, freePort, startRedis } from '../support/redis.js';
import { ROOT } from '../support/runQts.js';

/**
 * What an operator meets when the queue's Redis misbehaves: a restart that loses the run, a
 * coordinator that stops with jobs still queued, a job no coordinator of ours wrote, Redis down
 * when a worker starts. Each against a real redis-server.
 */
const series = [randomWalkSeries({ symbol: 'WALK/USDT', timeframe: '1m', length: 3000, seed: 9 })];
const settings = { ...DEFAULT_BACKTEST_SETTINGS, fill: 'close' as const };
const task: ComboTask = { params: { fast: 5, slow: 20 } };

/** The outcome of `p` within `ms`: its value, its error's code, or 'still waiting' (a bound, not a pause). */
async function within<T>(p: Promise<T>, ms: number): Promise<T | string> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<string>((res) => (timer = setTimeout(() => res('still waiting'), ms)));
  try {
    return await Promise.race([p.catch((e: Error & { code?: string }) => e.code ?? e.message), bound]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a worker reported for one job. */
interface Report {
  readonly job: ComboJob | undefined;
  readonly error?: QueueError;
}

/** A worker whose job reports arrive as promises, in order. */
function watchedWorker(
  url: string,
  queueName: string,
): { handle: QueueWorkerHandle; next: () => Promise<Report> } {
  const seen: Report[] = [];
  const waiting: ((r: Report) => void)[] = [];
  const handle = startQueueWorker({
    url,
    queueName,
    onJob: (_n, job, error) => {
      const r: Report = { job, ...(error ? { error } : {}) };
      const w = waiting.shift();
      if (w) w(r);
      else seen.push(r);
    },
  });
  const next = (): Promise<Report> => {
    const s = seen.shift();
    return s ? Promise.resolve(s) : new Promise((res) => waiting.push(res));
  };
  return { handle, next };
}

/** Polls `check` until it holds (bounded by the test's timeout). */
async function until(check: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 20));
}

describe.skipIf(!HAS_REDIS)('queue runs when Redis misbehaves (redis-server)', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  const open = (runId: string, queueName: string): Promise<QueueEvaluator> =>
    QueueEvaluator.open({ url: server.url, queueName, runId, series, strategyId: 'sma-cross', settings });

  it('a run that Redis lost in a restart fails with ERR_QUEUE_RUN_GONE instead of waiting forever', async () => {
    // No worker on this queue: the coordinator waits for results that can no longer come.
    const ev = await open('gone-1', 'q-gone');
    const outcome = within(ev.evaluate([task]), 20_000);
    await server.stop();
    server = await startRedis(server.port);
    expect(await outcome).toBe('ERR_QUEUE_RUN_GONE');
    await ev.close();
  }, 60_000);

  it('a run that stops with a batch queued leaves no job of it and no key behind', async () => {
    // No worker yet: the batch waits in the queue when the run stops (an error, a failed job).
    const queueName = 'q-left';
    const ev = await open('left-1', queueName);
    const pending = ev.evaluate(Array.from({ length: 20 }, () => task)).catch(() => undefined);
    const queue = new Queue(queueName, { connection: { host: '127.0.0.1', port: server.port } });
    const redis = new Redis(server.port, '127.0.0.1');
    try {
      await until(async () => (await queue.count()) === 20);
      await ev.close();
      await pending;
      expect(await queue.count()).toBe(0);
      expect(await redis.keys('qts:research:left-1:*')).toEqual([]);
    } finally {
      redis.disconnect();
      await queue.close();
    }
  }, 60_000);

  it('Ctrl-C on `qts optimize --queue` takes its queued jobs and data out of Redis', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qts-sigint-'));
    const data = join(dir, 'SYN_USDT-1h.csv');
    writeBarSeriesCsv(data, randomWalkSeries({ symbol: 'SYN/USDT', timeframe: '1h', length: 2000, seed: 4 }));
    const queueName = 'q-sigint';
    const queue = new Queue(queueName, { connection: { host: '127.0.0.1', port: server.port } });
    const redis = new Redis(server.port, '127.0.0.1');
    // No worker: the run's jobs wait in the queue when the operator gives up on it.
    const args = ['optimize', '--data', data, '--strategy', 'sma-cross', '--param', 'fast=5:40:5'];
    args.push('--param', 'slow=20:100:20', '--no-progress', '--queue', server.url, '--queue-name', queueName);
    const child = spawn(process.execPath, [join(ROOT, 'bin/qts.js'), ...args], { cwd: ROOT });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    try {
      await until(async () => (await queue.count()) > 0 || child.exitCode !== null);
      child.kill('SIGINT');
      const code = await exited;
      expect(await queue.count()).toBe(0);
      expect(await redis.keys('qts:research:*')).toEqual([]);
      expect(code).toBe(130);
      expect(err).toMatch(/stopping: removing the run's queued jobs/);
    } finally {
      child.kill('SIGKILL');
      redis.disconnect();
      await queue.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('a worker with a run loaded runs none of its jobs after the run ended, and writes nothing', async () => {
    const queueName = 'q-warm';
    const w = watchedWorker(server.url, queueName);
    await w.handle.ready;
    const queue = new Queue(queueName, { connection: { host: '127.0.0.1', port: server.port } });
    const redis = new Redis(server.port, '127.0.0.1');
    try {
      const ev = await open('warm-1', queueName);
      // The worker loads the run with this batch and keeps it loaded.
      expect((await ev.evaluate([task]))[0]?.trades).toBeGreaterThan(0);
      expect((await w.next()).error).toBeUndefined();
      await ev.close();
      // A job of the ended run still reaching the worker (a coordinator killed with jobs queued).
      await queue.add('combo', { runId: 'warm-1', batch: 1, i: 0, task } satisfies ComboJob);
      expect((await w.next()).error?.code).toBe('ERR_QUEUE_RUN_GONE');
      expect(await redis.keys('qts:research:warm-1:*')).toEqual([]);
    } finally {
      redis.disconnect();
      await queue.close();
      await w.handle.close();
    }
  }, 60_000);

  it('a malformed job is a reported rejection, and the worker goes on with the next run', async () => {
    const queueName = 'q-bad';
    const w = watchedWorker(server.url, queueName);
    await w.handle.ready;
    const queue = new Queue(queueName, { connection: { host: '127.0.0.1', port: server.port } });
    try {
      for (const data of [
        null,
        'garbage',
        { runId: 'x', batch: 'one', i: 0, task },
        { runId: 'x', batch: 0, i: 0 },
      ])
        await queue.add('combo', data);
      const codes: (string | undefined)[] = [];
      for (let k = 0; k < 4; k++) {
        const r = await within(w.next(), 10_000);
        codes.push(typeof r === 'string' ? r : r.error?.code);
      }
      expect(codes).toEqual(Array(4).fill('ERR_QUEUE_BAD_JOB'));
      const redis = new Redis(server.port, '127.0.0.1');
      expect(await redis.keys('qts:research:*')).toEqual([]);
      redis.disconnect();
      const ev = await open('after-bad', queueName);
      expect((await ev.evaluate([task]))[0]?.trades).toBeGreaterThan(0);
      await ev.close();
    } finally {
      await queue.close();
      await w.handle.close();
    }
  }, 60_000);

  it('two runs on one queue at once each get their own results (no cross-talk)', async () => {
    const queueName = 'q-two';
    const w = watchedWorker(server.url, queueName);
    await w.handle.ready;
    const other = { ...settings, initialCash: settings.initialCash * 3, commission: 0.004 };
    const a = await open('two-a', queueName);
    const b = await QueueEvaluator.open({
      url: server.url,
      queueName,
      runId: 'two-b',
      series,
      strategyId: 'sma-cross',
      settings: other,
    });
    try {
      const tasks = [task, { params: { fast: 10, slow: 50 } }, { params: { fast: 3, slow: 30 } }];
      const [ra, rb] = await Promise.all([a.evaluate(tasks), b.evaluate([...tasks].reverse())]);
      // Each equals the same run alone: same settings, same positions.
      const aloneA = await a.evaluate(tasks);
      const aloneB = await b.evaluate([...tasks].reverse());
      expect(ra).toEqual(aloneA);
      expect(rb).toEqual(aloneB);
      expect(rb?.[2]).not.toEqual(ra?.[0]);
    } finally {
      await a.close();
      await b.close();
      await w.handle.close();
    }
  }, 60_000);

  it('a worker started while Redis is down says so once, in a coded line, and starts when Redis comes up', async () => {
    const port = await freePort();
    const states: RedisState[] = [];
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    let late: RedisServer | undefined;
    const worker = startQueueWorker({
      url: `redis://127.0.0.1:${port}`,
      queueName: 'q-down',
      onRedis: (s) => states.push(s),
    });
    try {
      // Until Redis answers, the worker waits; the first refusal is what the operator sees.
      await within(
        until(() => states.length > 0),
        15_000,
      );
      late = await startRedis(port);
      await worker.ready;
      await within(
        until(() => states.at(-1)?.up === true),
        15_000,
      );
      const first = states[0];
      expect(first?.up === false && first.code).toBe('ERR_QUEUE_CONNECT');
      expect(first?.up === false && first.message).toMatch(/ECONNREFUSED/);
      expect(states.filter((s) => !s.up)).toHaveLength(1);
      expect(states.at(-1)?.up).toBe(true);
      expect(printed).not.toHaveBeenCalled();
    } finally {
      printed.mockRestore();
      await worker.close();
      await late?.stop();
    }
  }, 60_000);
});
