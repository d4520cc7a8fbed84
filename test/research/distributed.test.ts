import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomWalkSeries } from '../../src/data/syntheticSeries.js';
import { writeBarSeriesCsv } from '../../src/data/writeBarSeriesCsv.js';
import type { RedisServer } from '../support/redis.js';
import { HAS_REDIS, startRedis } from '../support/redis.js';
import { ROOT, qtsAsync } from '../support/runQts.js';

const QTS = join(ROOT, 'bin/qts.js');

/** A `qts worker` process and the jobs it reported. */
interface WorkerProc {
  readonly child: ChildProcess;
  readonly out: () => string;
  readonly ready: Promise<void>;
}

function startWorker(url: string, queueName: string): WorkerProc {
  const child = spawn(process.execPath, [QTS, 'worker', '--queue', url, '--queue-name', queueName], {
    cwd: ROOT,
  });
  let out = '';
  const ready = new Promise<void>((res, rej) => {
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('worker ready')) res();
    });
    child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
    child.once('exit', (code) => rej(new Error(`qts worker exited with ${code}: ${out}`)));
  });
  return { child, out: () => out, ready };
}

/** Waits until `check` holds, re-checking whenever a worker prints. */
async function until(check: () => boolean, procs: readonly WorkerProc[], ms = 10_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) return;
    await new Promise<void>((res) => {
      const done = (): void => {
        for (const p of procs) p.child.stdout?.off('data', done);
        clearTimeout(t);
        res();
      };
      const t = setTimeout(done, 200);
      for (const p of procs) p.child.stdout?.on('data', done);
    });
  }
}

function stopWorker(w: WorkerProc): Promise<number | null> {
  return new Promise((res) => {
    if (w.child.exitCode !== null) return res(w.child.exitCode);
    w.child.once('exit', (code) => res(code));
    w.child.kill('SIGTERM');
  });
}

describe.skipIf(!HAS_REDIS)('distributed optimization (redis-server + two qts worker processes)', () => {
  let redis: RedisServer;
  let workers: WorkerProc[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'qts-dist-'));
  const data = join(dir, 'SYN_USDT-1h.csv');

  beforeAll(async () => {
    writeBarSeriesCsv(
      data,
      randomWalkSeries({ symbol: 'SYN/USDT', timeframe: '1h', length: 20_000, seed: 3, volatility: 0.005 }),
    );
    redis = await startRedis();
    workers = [startWorker(redis.url, 'qts-test'), startWorker(redis.url, 'qts-test')];
    await Promise.all(workers.map((w) => w.ready));
  });
  afterAll(async () => {
    const codes = await Promise.all(workers.map(stopWorker));
    await redis?.stop();
    expect(codes).toEqual([0, 0]);
  });

  // Run with qtsAsync: a blocking run would stop this process reading the workers' output.
  const args = (extra: string[]): string[] => [
    'optimize',
    '--data',
    data,
    '--strategy',
    'sma-cross',
    '--param',
    'fast=5:40:5',
    '--param',
    'slow=20:100:20',
    '--objective',
    'calmar',
    '--no-progress',
    ...extra,
  ];

  it('gives byte-identical JSON to the local run, with jobs done by both workers', async () => {
    const local = await qtsAsync(args(['--workers', '2', '--json', join(dir, 'local.json')]));
    expect(local.code, local.stderr).toBe(0);
    const remote = await qtsAsync(
      args(['--queue', redis.url, '--queue-name', 'qts-test', '--json', join(dir, 'remote.json')]),
    );
    expect(remote.code, remote.stderr).toBe(0);
    const a = readFileSync(join(dir, 'local.json'), 'utf8');
    const b = readFileSync(join(dir, 'remote.json'), 'utf8');
    expect(b).toBe(a);
    const report = JSON.parse(a) as { evaluated: number; skipped: number };
    expect(report.evaluated).toBe(34);
    expect(report.skipped).toBe(6);
    const count = (): number[] => workers.map((w) => (w.out().match(/^job \d+:/gm) ?? []).length);
    // A worker prints its line just after it stores the result, so the last lines may trail the run.
    await until(() => count().reduce((x, y) => x + y, 0) >= 34, workers);
    const jobs = count();
    expect(jobs[0]! + jobs[1]!).toBe(34);
    expect(
      jobs.every((n) => n > 0),
      `jobs per worker ${jobs.join(', ')}`,
    ).toBe(true);
  });

  it('a walk-forward through the queue equals the local one too', async () => {
    const wf = (extra: string[]): string[] => [
      'walk-forward',
      '--data',
      data,
      '--strategy',
      'sma-cross',
      '--param',
      'fast=5:20:5',
      '--param',
      'slow=30,60',
      '--in-sample',
      '6000',
      '--out-of-sample',
      '3000',
      '--no-progress',
      ...extra,
    ];
    const local = await qtsAsync(wf(['--workers', '1', '--json', join(dir, 'wf-local.json')]));
    expect(local.code, local.stderr).toBe(0);
    const remote = await qtsAsync(
      wf(['--queue', redis.url, '--queue-name', 'qts-test', '--json', join(dir, 'wf-remote.json')]),
    );
    expect(remote.code, remote.stderr).toBe(0);
    expect(readFileSync(join(dir, 'wf-remote.json'), 'utf8')).toBe(
      readFileSync(join(dir, 'wf-local.json'), 'utf8'),
    );
  });

  it('a bad queue URL is a coded error, not a crash', async () => {
    const r = await qtsAsync(args(['--queue', 'http://nope']));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ERR_QUEUE_URL');
  });
});
