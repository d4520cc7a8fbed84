/**
 * A user's TypeScript strategy file against the compiled engine (dist/), as an installed `qts`
 * without sources has it:
 * - run: tsx's loader is then registered on demand, in the main thread and in each optimizer
 *   thread, and 'quant-trading-system/strategy' is the compiled public module;
 * - type-checked by the user's own `tsc`, in a project outside the repository that has the
 *   package in its node_modules: package.json's `exports` name the emitted .d.ts files.
 * One build, to a copy in a temporary folder, so the checkout's dist/ is left alone.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('a strategy file and the compiled engine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qts-user-strategy-dist-'));
  const copy = join(dir, 'qts');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(() => {
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
        '--declarationMap',
        'false',
      ]),
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(existsSync(join(copy, 'dist/cli/main.js')), tsc.stdout).toBe(true);
    // No sources in the copy: bin/qts.js can only run dist/.
    expect(existsSync(join(copy, 'src'))).toBe(false);
  }, 180_000);

  it.skipIf(!HAS_SHARED_DATA)(
    "backtests and optimizes (worker threads) a .ts file to the built-in's results",
    async () => {
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
    },
    300_000,
  );

  it("a user's own tsc type-checks a strategy file against the package's exported typings", () => {
    // A project of the user's, outside the repository, with the package installed in it.
    const project = join(dir, 'my-strategies');
    mkdirSync(join(project, 'node_modules'), { recursive: true });
    symlinkSync(copy, join(project, 'node_modules/quant-trading-system'), 'dir');
    writeFileSync(join(project, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(join(project, 'ema-trend.ts'), typedSource('this.ctx.buy(bar.symbol)'));
    // A close price where the symbol goes: the typings must be real, not `any`.
    writeFileSync(join(project, 'wrong.ts'), typedSource('this.ctx.buy(bar.close)'));
    // Both files in one run per resolution (a tsc start is seconds): only wrong.ts may fail.
    for (const resolution of ['node16', 'bundler'] as const) {
      const r = spawnSync(
        process.execPath,
        [join(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--target', 'es2022'].concat([
          ...['--module', resolution === 'bundler' ? 'esnext' : resolution],
          ...['--moduleResolution', resolution, 'ema-trend.ts', 'wrong.ts'],
        ]),
        { cwd: project, encoding: 'utf8' },
      );
      const errors = r.stdout.split('\n').filter((line) => /error TS\d+/.test(line));
      expect(errors, `${resolution}: ${r.stdout}${r.stderr}`).toHaveLength(1);
      expect(errors[0], resolution).toMatch(/^wrong\.ts\(\d+,\d+\): error TS2345: .*'number'.*'string'/);
      expect(r.status, resolution).not.toBe(0);
    }
  }, 180_000);
});

/** A strategy file using both public modules, whose `onBar` buys by `buy` (a call to check). */
function typedSource(buy: string): string {
  return `
import { EMA } from 'quant-trading-system/indicators';
import { Strategy, z } from 'quant-trading-system/strategy';
import type { Bar, Order } from 'quant-trading-system/strategy';

export default class EmaTrend extends Strategy<{ period: number }> {
  static readonly id = 'ema-trend';
  static readonly description = 'long while the close is above its EMA';
  static readonly paramsSchema = z.object({ period: z.number().int().min(2).default(20) });
  private readonly ema = new EMA(this.params.period);
  override onBar(bar: Bar): void {
    const avg: number = this.ema.update(bar.close, false);
    if (!this.ema.isStable || bar.close <= avg || !this.ctx.position(bar.symbol).isFlat) return;
    const order: Order = ${buy};
    this.ctx.log.info(\`bought \${order.id}\`);
  }
}
`;
}
