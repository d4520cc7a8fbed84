import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * The checkout: the folder above this file holding bin/qts.js. `npm run bench` runs this file
 * compiled under dist/bench-build/bench, `npm run bench:sources` from bench/.
 */
function checkoutRoot(): string {
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'bin', 'qts.js'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no bin/qts.js above ${import.meta.dirname}`);
  }
}
const ROOT = checkoutRoot();

/** Wall time of `qts args` in a fresh process (best of `reps`), and whether it succeeded. */
function timeQts(args: readonly string[], compiled: boolean, reps: number): number {
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    const run = spawnSync(process.execPath, [join(ROOT, 'bin/qts.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, QTS_USE_DIST: compiled ? '1' : '0', NODE_OPTIONS: '' },
      encoding: 'utf8',
    });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (run.status !== 0) throw new Error(`qts ${args.join(' ')} failed: ${run.stderr}`);
    best = Math.min(best, ms);
  }
  return best;
}

/**
 * What a user's command costs, cold: `qts --version` (start-up) and the README's backtest
 * command on the CSV `file`, each in a new process, from the sources (tsx, as `npx qts` runs
 * in a checkout) and compiled (`npm run build` done; skipped when dist/ is missing).
 */
export function benchCliRun(file: string, bars: number): void {
  const out = mkdtempSync(join(tmpdir(), 'qts-bench-cli-'));
  try {
    const backtest = [
      'backtest',
      '--data',
      file,
      '--strategy',
      'sma-cross',
      '--params',
      'fast=10,slow=30',
      '--fill',
      'close',
      '--commission',
      '0',
      '--cash',
      '100000',
      '--sizing',
      'all-in',
      '--lot',
      '0.0001',
      '--json',
      join(out, 'report.json'),
    ];
    console.log(`\n## qts in a new process, ${bars.toLocaleString('en-US')}-bar CSV (best of 2)`);
    const builds: [string, boolean][] = [['from sources (tsx)', false]];
    if (existsSync(join(ROOT, 'dist/cli/main.js'))) builds.push(['compiled (dist/)', true]);
    else console.log('compiled: skipped, run `npm run build` first');
    for (const [name, compiled] of builds) {
      const start = timeQts(['--version'], compiled, 2);
      const run = timeQts(backtest, compiled, 2);
      console.log(
        `${name.padEnd(20)} qts --version ${start.toFixed(0).padStart(5)} ms   qts backtest ${run.toFixed(0).padStart(5)} ms`,
      );
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
