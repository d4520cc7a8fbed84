/**
 * A distributed search of a user's strategy file: the `qts worker` process, started in another
 * directory, loads the file by the absolute path the search put in the run (the relative path
 * given to `qts optimize` means nothing there), and its results equal a local search's.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisServer } from '../support/redis.js';
import { HAS_REDIS, startRedis } from '../support/redis.js';
import { ROOT, qtsAsync } from '../support/runQts.js';
import { HAS_SHARED_DATA, sharedFile } from '../support/sharedData.js';
import { smaCopySource } from './support/smaCopySource.js';

const ORCL = sharedFile('stocks-daily/orcl-1995-2014.txt');

const STRATEGY = smaCopySource('export default class QueuedSma', 'queued-sma');

describe.skipIf(!HAS_REDIS || !HAS_SHARED_DATA)('a strategy file searched through the Redis queue', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qts-user-strategy-queue-'));
  let redis: RedisServer | undefined;
  let worker: ChildProcess | undefined;
  let workerOut = '';

  beforeAll(async () => {
    redis = await startRedis();
    const url = redis.url;
    // In the temporary folder, not the repository: where `qts optimize` runs is not its directory.
    const child = spawn(process.execPath, [join(ROOT, 'bin/qts.js'), 'worker', '--queue', url], { cwd: dir });
    worker = child;
    await new Promise<void>((res, rej) => {
      child.stdout.on('data', (b: Buffer) => {
        workerOut += b.toString();
        if (workerOut.includes('worker ready')) res();
      });
      child.stderr.on('data', (b: Buffer) => (workerOut += b.toString()));
      child.once('exit', (code) => rej(new Error(`qts worker exited with ${code}: ${workerOut}`)));
    });
  });
  afterAll(async () => {
    const w = worker;
    if (w !== undefined && w.exitCode === null) {
      const exited = new Promise((res) => w.once('exit', res));
      w.kill('SIGTERM');
      await exited;
    }
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the worker loads the file by its absolute path and finds what a local search finds', async () => {
    const file = join(dir, 'queued-sma.ts');
    writeFileSync(file, STRATEGY);
    const search = async (strategy: string, where: string[], json: string) => {
      const r = await qtsAsync([
        'optimize',
        ...['--data', ORCL, '--strategy', strategy, '--param', 'fast=5:10:5', '--param', 'slow=20,30'],
        ...where,
        ...['--json', json, '--no-progress'],
      ]);
      expect(r.code, `${r.stderr}\n${workerOut}`).toBe(0);
      return JSON.parse(readFileSync(json, 'utf8')) as {
        strategy: string;
        evaluated: number;
        results: unknown;
      };
    };
    // qts runs in the repository: a path relative to it, which the worker's directory does not share.
    const remote = await search(
      relative(ROOT, file),
      ['--queue', redis?.url ?? ''],
      join(dir, 'remote.json'),
    );
    const local = await search('sma-cross', ['--workers', '0'], join(dir, 'local.json'));
    expect(remote.strategy).toBe('queued-sma');
    expect(remote.evaluated).toBe(4);
    expect(remote.results).toEqual(local.results);
    expect(workerOut).toMatch(/^job \d+:/m);
  }, 180_000);
});
