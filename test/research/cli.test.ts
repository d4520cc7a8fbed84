import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAS_SHARED_DATA, sharedFile } from '../support/sharedData.js';
import { qtsAsync as qts } from '../support/runQts.js';

describe('research commands --help', () => {
  it('explains every option of each command', async () => {
    const want: Record<string, string[]> = {
      optimize: [
        '--param',
        '--method',
        '--samples',
        '--objective',
        '--workers',
        '--queue',
        '--heatmap',
        '--json',
        '--html',
        '--max-combos',
        '--seed',
      ],
      'walk-forward': [
        '--in-sample',
        '--out-of-sample',
        '--step',
        '--mode',
        '--anchored',
        '--param',
        '--queue',
      ],
      'monte-carlo': ['--report', '--runs', '--method', '--trades-per-run', '--html'],
      lookahead: ['--cuts', '--signal-cuts', '--params', '--min-bars', '--json'],
      worker: ['--queue', '--queue-name', '--concurrency'],
    };
    const results = await Promise.all(Object.keys(want).map((cmd) => qts([cmd, '--help'])));
    Object.values(want).forEach((opts, i) => {
      expect(results[i]?.code).toBe(0);
      for (const o of opts) expect(results[i]?.stdout).toContain(o);
    });
  });
});

describe.skipIf(!HAS_SHARED_DATA)('research commands on ORCL daily data', () => {
  const orcl = sharedFile('stocks-daily/orcl-1995-2014.txt');
  const dir = mkdtempSync(join(tmpdir(), 'qts-research-cli-'));
  /** `flags` as typed (values without spaces), then each output file as `--<name> <path>`. */
  const args = (flags: string, files: Record<string, string> = {}): string[] => [
    ...flags.split(' '),
    ...Object.entries(files).flatMap(([name, path]) => [`--${name}`, path]),
  ];
  /** `qts <command> --data ORCL --strategy sma-cross` with more flags and output files. */
  const onOrcl = (command: string, flags: string, files?: Record<string, string>): ReturnType<typeof qts> =>
    qts([command, '--data', orcl, '--strategy', 'sma-cross', ...args(flags, files)]);

  it('optimize writes JSON and HTML and prints the ranking', async () => {
    const json = join(dir, 'opt.json');
    const html = join(dir, 'opt.html');
    const r = await onOrcl(
      'optimize',
      '--param fast=5:20:5 --param slow=10,30,50 --objective return --workers 2 --fill close',
      { json, html },
    );
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8')) as {
      spaceSize: number;
      evaluated: number;
      skipped: number;
      best: { params: Record<string, number>; totalReturn: number };
      results: { totalReturn: number }[];
    };
    expect(report.spaceSize).toBe(12);
    expect(report.evaluated).toBe(9); // fast 10, 15, 20 with slow 10 are refused (fast < slow)
    expect(report.skipped).toBe(3);
    expect(report.best.totalReturn).toBe(Math.max(...report.results.map((x) => x.totalReturn)));
    expect(r.stdout).toContain(`best Total return`);
    // How busy each thread was, so a slow run on a loaded machine reads as such.
    expect(r.stderr).toMatch(
      /worker threads: 2( · on a core \d+ % \/ \d+ % of the time · waiting for a core \d+ % \/ \d+ %)?\n/,
    );
    expect(r.stdout).toContain(`fast=${report.best.params['fast']}, slow=${report.best.params['slow']}`);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<h2>Total return by fast and slow</h2>');
    expect(page).toContain('Best combination:');
  });

  it('bad input is a clear coded error with exit code 2', async () => {
    const [param, range, objective] = await Promise.all([
      onOrcl('optimize', '--no-progress --param speed=1:3'),
      onOrcl('optimize', '--no-progress --param fast=30:10'),
      onOrcl('optimize', '--no-progress --param fast=5,10 --objective luck'),
    ]);
    expect(param.code).toBe(2);
    expect(param.stderr).toContain(
      'ERR_OPTIMIZE_UNKNOWN_PARAM: sma-cross has no parameter "speed"; its parameters: fast, slow',
    );
    expect(range.code).toBe(2);
    expect(range.stderr).toContain(
      'ERR_OPTIMIZE_BAD_RANGE: --param fast: range start 30 is above its end 10',
    );
    expect(objective.code).toBe(2);
    expect(objective.stderr).toMatch(
      /ERR_OPTIMIZE_UNKNOWN_OBJECTIVE: unknown objective "luck"; available: sharpe, /,
    );
  });

  it('walk-forward reports every window and the stitched out-of-sample result', async () => {
    const json = join(dir, 'wf.json');
    const r = await onOrcl(
      'walk-forward',
      '--param fast=5:20:5 --param slow=30,50 --in-sample 1000 --out-of-sample 500 --anchored --workers 1',
      { json, html: join(dir, 'wf.html') },
    );
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8')) as {
      windows: { inSample: { bars: number } }[];
      windowSpec: { mode: string };
    };
    expect(report.windowSpec.mode).toBe('anchored');
    expect(report.windows.map((w) => w.inSample.bars)).toEqual(
      Array.from({ length: report.windows.length }, (_, k) => 1000 + 500 * k),
    );
    expect(r.stdout).toMatch(/walk-forward efficiency/);
  });

  it('monte-carlo resamples a backtest report written by qts backtest', async () => {
    const bt = join(dir, 'bt.json');
    const b = await onOrcl('backtest', '--params fast=10,slow=30 --fill close', { json: bt });
    expect(b.code, b.stderr).toBe(0);
    const out = join(dir, 'mc.json');
    const r = await qts([
      'monte-carlo',
      ...args('--runs 2000 --seed 7', { report: bt, json: out, html: join(dir, 'mc.html') }),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const mc = JSON.parse(readFileSync(out, 'utf8')) as {
      trades: number;
      finalReturn: { p5: number; p50: number; p95: number };
      probabilityOfLoss: number;
    };
    const trades = (
      JSON.parse(readFileSync(bt, 'utf8')) as { tradeList: { closed: boolean }[] }
    ).tradeList.filter((t) => t.closed).length;
    expect(mc.trades).toBe(trades);
    expect(mc.finalReturn.p5).toBeLessThanOrEqual(mc.finalReturn.p50);
    expect(mc.finalReturn.p50).toBeLessThanOrEqual(mc.finalReturn.p95);
    expect(r.stdout).toContain('probability of loss');
    // The original figure is of the closed trades only: said, as it differs from the backtest's return.
    expect(r.stdout).toContain('original order of the closed trades: return');
    const missing = await qts(['monte-carlo', '--report', join(dir, 'none.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('ERR_MONTECARLO_REPORT');
  });

  it('lookahead passes sma-cross (exit 0)', async () => {
    const r = await onOrcl('lookahead', '--params fast=10,slow=30 --cuts 5');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('PASS: no look-ahead detected');
    expect(r.stdout.match(/^ {2}ok {4}random cut /gm)?.length).toBe(5);
    expect(r.stdout.match(/^ {2}ok {4}signal cut /gm)?.length).toBe(20);
  });
});
