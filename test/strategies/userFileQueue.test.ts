/**
 * A user's strategy file searched through the Redis queue. A `qts worker` imports the file a
 * run names, so whoever writes to the queue chooses code it runs: it does so only when started
 * with `--allow-strategy-files`. Such a worker, started in another directory, loads the file by
 * the absolute path the search put in the run (the relative path given to `qts optimize` means
 * nothing there), and its results equal a local search's. A worker without the flag fails the
 * run's jobs with ERR_STRATEGY_FILE_NOT_ALLOWED, never importing the file, and goes on serving
 * built-in strategies.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomWalkSeries } from '../../src/data/syntheticSeries.js';
import { writeBarSeriesCsv } from '../../src/data/writeBarSeriesCsv.js';
import type { RedisServer } from '../support/redis.js';
import { HAS_REDIS, startRedis } from '../support/redis.js';
import { ROOT, qtsAsync } from '../support/runQts.js';
import { HAS_SHARED_DATA, sharedFile } from '../support/sharedData.js';
import { smaCopySource } from './support/smaCopySource.js';

const ORCL = sharedFile('stocks-daily/orcl-1995-2014.txt');

/** A `qts worker` process, and all it printed so far. */
interface WorkerProc {
  readonly child: ChildProcess;
  readonly out: () => string;
  /** Resolves once its output matches (it prints a job's line just after storing the result). */
  readonly printed: (pattern: RegExp) => Promise<void>;
}

/** Starts `qts worker` on a queue in `cwd`, resolving once it says it is ready. */
async function startWorker(
  url: string,
  queueName: string,
  extra: string[],
  cwd: string,
): Promise<WorkerProc> {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'bin/qts.js'), 'worker', '--queue', url, '--queue-name', queueName, ...extra],
    { cwd },
  );
  let out = '';
  await new Promise<void>((res, rej) => {
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('worker ready')) res();
    });
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.once('exit', (code) => rej(new Error(`qts worker exited with ${code}: ${out}`)));
  });
  const printed = (pattern: RegExp): Promise<void> =>
    new Promise((res) => {
      const check = (): void => {
        if (!pattern.test(out)) return;
        child.stdout.off('data', check);
        child.stderr.off('data', check);
        res();
      };
      child.stdout.on('data', check);
      child.stderr.on('data', check);
      check();
    });
  return { child, out: () => out, printed };
}

async function stopWorker(w: WorkerProc | undefined): Promise<void> {
  if (w === undefined || w.child.exitCode !== null) return;
  const exited = new Promise((res) => w.child.once('exit', res));
  w.child.kill('SIGTERM');
  await exited;
}

describe.skipIf(!HAS_REDIS)('a strategy file searched through the Redis queue', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qts-user-strategy-queue-'));
  let redis: RedisServer | undefined;
  let allowing: WorkerProc | undefined;
  let refusing: WorkerProc | undefined;

  beforeAll(async () => {
    redis = await startRedis();
    const url = redis.url;
    // In the temporary folder, not the repository: where `qts optimize` runs is not its directory.
    [allowing, refusing] = await Promise.all([
      startWorker(url, 'files-allowed', ['--allow-strategy-files'], dir),
      startWorker(url, 'built-ins-only', [], dir),
    ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([stopWorker(allowing), stopWorker(refusing)]);
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** `qts optimize` of a fast/slow grid (4 combinations) through a queue, run in the repository. */
  const search = async (data: string, strategy: string, where: string[], json: string) =>
    qtsAsync([
      'optimize',
      ...['--data', data, '--strategy', strategy, '--param', 'fast=5:10:5', '--param', 'slow=20,30'],
      ...where,
      ...['--json', json, '--no-progress'],
    ]);

  it.skipIf(!HAS_SHARED_DATA)(
    'with --allow-strategy-files the worker loads the file by its absolute path and finds what a local search finds',
    async () => {
      const file = join(dir, 'queued-sma.ts');
      writeFileSync(file, smaCopySource('export default class QueuedSma', 'queued-sma'));
      const report = async (strategy: string, where: string[], json: string) => {
        const r = await search(ORCL, strategy, where, json);
        expect(r.code, `${r.stderr}\n${allowing?.out()}`).toBe(0);
        return JSON.parse(readFileSync(json, 'utf8')) as {
          strategy: string;
          evaluated: number;
          results: unknown;
        };
      };
      // qts runs in the repository: a path relative to it, which the worker's directory does not share.
      const remote = await report(
        relative(ROOT, file),
        ['--queue', redis?.url ?? '', '--queue-name', 'files-allowed'],
        join(dir, 'remote.json'),
      );
      const local = await report('sma-cross', ['--workers', '0'], join(dir, 'local.json'));
      expect(remote.strategy).toBe('queued-sma');
      expect(remote.evaluated).toBe(4);
      expect(remote.results).toEqual(local.results);
      expect(allowing?.out()).toMatch(/^job \d+:/m);
    },
    180_000,
  );

  it('without it, a run naming a file fails with ERR_STRATEGY_FILE_NOT_ALLOWED, the file is never imported, and the worker serves the next run', async () => {
    const worker = refusing;
    if (worker === undefined) throw new Error('no worker');
    const data = join(dir, 'SYN_USDT-1h.csv');
    writeBarSeriesCsv(data, randomWalkSeries({ symbol: 'SYN/USDT', timeframe: '1h', length: 2000, seed: 5 }));
    // Importing the file leaves a mark named by the importing process (the coordinator imports it too).
    const file = join(dir, 'marking-sma.ts');
    writeFileSync(
      file,
      `import { writeFileSync } from 'node:fs';\n` +
        `writeFileSync(${JSON.stringify(dir)} + '/imported-by-' + process.pid, '');\n` +
        smaCopySource('export default class MarkingSma', 'marking-sma'),
    );
    const queue = ['--queue', redis?.url ?? '', '--queue-name', 'built-ins-only'];

    const refused = await search(data, file, queue, join(dir, 'refused.json'));
    expect(refused.code, refused.stderr).not.toBe(0);
    expect(refused.stderr).toMatch(/ERR_STRATEGY_FILE_NOT_ALLOWED.*--allow-strategy-files/);
    // The coordinator's hint names the queue and the flag a worker needs for a file.
    expect(refused.stderr).toContain(
      `run workers with: qts worker --queue ${redis?.url} --queue-name built-ins-only --allow-strategy-files`,
    );
    // The coordinator's mark shows the marking works; the worker's must be missing.
    expect(readdirSync(dir).filter((f) => f.startsWith('imported-by-'))).toHaveLength(1);
    expect(existsSync(join(dir, `imported-by-${worker.child.pid}`))).toBe(false);
    await worker.printed(/^job \d+: .* failed: ERR_STRATEGY_FILE_NOT_ALLOWED/m);
    expect(worker.child.exitCode).toBeNull();

    const served = await search(data, 'sma-cross', queue, join(dir, 'served.json'));
    expect(served.code, `${served.stderr}\n${worker.out()}`).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'served.json'), 'utf8')) as { evaluated: number };
    expect(report.evaluated).toBe(4);
  }, 180_000);
});
