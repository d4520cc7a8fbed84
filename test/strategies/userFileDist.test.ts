/**
 * A user's TypeScript strategy file run by the compiled engine (dist/), as an installed `qts`
 * without sources runs: tsx's loader is then registered on demand, in the main thread and in
 * each optimizer thread, and 'quant-trading-system/strategy' is the compiled public module.
 * The build goes to a copy in a temporary folder, so the checkout's dist/ is left alone.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/runQts.js';
import { HAS_SHARED_DATA, sharedFile } from '../support/sharedData.js';
import { smaCopySource } from './support/smaCopySource.js';

const ORCL = sharedFile('stocks-daily/orcl-1995-2014.txt');

const STRATEGY = smaCopySource('export class CompiledSma', 'compiled-sma');

/** Runs a `qts` at `root` (its bin/qts.js), with the built code only, in `cwd`. */
function run(root: string, args: string[], cwd: string): Promise<{ code: number; out: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [join(root, 'bin/qts.js'), ...args], {
      cwd,
      env: { ...process.env, QTS_USE_DIST: '1' },
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.once('close', (code) => res({ code: code ?? -1, out }));
  });
}

describe.skipIf(!HAS_SHARED_DATA)('a strategy file run by the compiled engine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qts-user-strategy-dist-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("backtests and optimizes (worker threads) a .ts file to the built-in's results", async () => {
    const copy = join(dir, 'qts');
    cpSync(join(ROOT, 'bin'), join(copy, 'bin'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(copy, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
    // Type errors would not stop the emit; what is checked is the emitted program's behaviour.
    const tsc = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')].concat([
        '--outDir',
        join(copy, 'dist'),
        '--sourceMap',
        'false',
      ]),
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(existsSync(join(copy, 'dist/cli/main.js')), tsc.stdout).toBe(true);
    // No sources in the copy: bin/qts.js can only run dist/.
    expect(existsSync(join(copy, 'src'))).toBe(false);
    const file = join(dir, 'compiled-sma.ts');
    writeFileSync(file, STRATEGY);

    const backtest = async (strategy: string, json: string) => {
      const r = await run(
        copy,
        ['backtest', '--data', ORCL, '--strategy', strategy, '--json', json, '--no-progress'],
        dir,
      );
      expect(r.code, r.out).toBe(0);
      return JSON.parse(readFileSync(json, 'utf8')) as {
        strategy: string;
        tradeLogSha256: string;
        orders: number;
      };
    };
    const mine = await backtest('./compiled-sma.ts', join(dir, 'mine.json'));
    const builtIn = await backtest('sma-cross', join(dir, 'builtin.json'));
    expect(mine.strategy).toBe('compiled-sma');
    expect(mine.orders).toBeGreaterThan(100);
    expect(mine.tradeLogSha256).toBe(builtIn.tradeLogSha256);

    const optimize = async (strategy: string, json: string) => {
      const r = await run(
        copy,
        [
          'optimize',
          '--data',
          ORCL,
          '--strategy',
          strategy,
          '--param',
          'fast=5:10:5',
          '--param',
          'slow=20,30',
        ].concat(['--workers', '2', '--json', json, '--no-progress']),
        dir,
      );
      expect(r.code, r.out).toBe(0);
      expect(r.out).toContain('worker threads: 2');
      return JSON.parse(readFileSync(json, 'utf8')) as { strategy: string; results: unknown };
    };
    const searched = await optimize(file, join(dir, 'opt-mine.json'));
    expect(searched.strategy).toBe('compiled-sma');
    expect(searched.results).toEqual((await optimize('sma-cross', join(dir, 'opt-builtin.json'))).results);
  }, 300_000);
});
