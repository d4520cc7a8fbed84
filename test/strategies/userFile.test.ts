/**
 * A strategy file of the user's, anywhere on disk, run by the real `qts` binary: written as the
 * README shows, importing the engine from 'quant-trading-system/strategy', it gives the very
 * orders of the built-in it copies, in a backtest and through the optimizer's worker threads.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, qts, qtsAsync } from '../support/runQts.js';
import { HAS_SHARED_DATA, sharedFile } from '../support/sharedData.js';

const ORCL = sharedFile('stocks-daily/orcl-1995-2014.txt');

/** SmaCross's logic, as a user would copy it: every import from the public specifier. */
const SMA_COPY_TS = `
import { CrossOver, RollingSma, Strategy, crossSignal, followLongFlat, z } from 'quant-trading-system/strategy';
import type { Bar } from 'quant-trading-system/strategy';

const paramsSchema = z
  .object({
    fast: z.number().int().min(2).max(200).default(10).meta({ step: 1 }),
    slow: z.number().int().min(3).max(500).default(30).meta({ step: 1 }),
  })
  .refine((p) => p.fast < p.slow, { message: 'fast must be smaller than slow', path: ['fast'] });

export default class MySmaCross extends Strategy<z.infer<typeof paramsSchema>> {
  static readonly id = 'my-sma-cross';
  static readonly description = 'a copy of sma-cross';
  static readonly paramsSchema = paramsSchema;
  private readonly fast = new RollingSma(this.params.fast);
  private readonly slow = new RollingSma(this.params.slow);
  private readonly cross = new CrossOver();

  override onBar(bar: Bar): void {
    const c = this.cross.update(this.fast.update(bar.close), this.slow.update(bar.close));
    if (c !== 0) followLongFlat(this.ctx, bar.symbol, crossSignal(c));
  }
}
`;

/** The same in plain JavaScript, as a named export (no default), beside a helper that is no strategy. */
const SMA_COPY_JS = `
import { CrossOver, RollingSma, Strategy, crossSignal, followLongFlat, z } from 'quant-trading-system/strategy';

export const VERSION = 1;
export class MySmaCrossJs extends Strategy {
  static id = 'my-sma-cross-js';
  static description = 'a copy of sma-cross, in JavaScript';
  static paramsSchema = z.object({
    fast: z.number().int().default(10).meta({ step: 1 }),
    slow: z.number().int().default(30).meta({ step: 1 }),
  });
  fast = new RollingSma(this.params.fast);
  slow = new RollingSma(this.params.slow);
  cross = new CrossOver();
  onBar(bar) {
    const c = this.cross.update(this.fast.update(bar.close), this.slow.update(bar.close));
    if (c !== 0) followLongFlat(this.ctx, bar.symbol, crossSignal(c));
  }
}
`;

interface Report {
  readonly strategy: string;
  readonly tradeLogSha256: string;
  readonly orders: number;
  readonly finalEquityExact: string;
  readonly fills: { strategyId: string }[];
}

describe.skipIf(!HAS_SHARED_DATA)('a strategy file of the user (qts --strategy FILE)', () => {
  // Outside the repository: no package.json, no node_modules, no tsconfig around it.
  const dir = mkdtempSync(join(tmpdir(), 'qts-user-strategy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const backtest = (strategy: string, json: string): { code: number; stderr: string; report?: Report } => {
    const r = qts([
      'backtest',
      ...['--data', ORCL, '--strategy', strategy, '--params', 'fast=10,slow=30', '--fill', 'close'],
      ...['--json', json, '--no-progress'],
    ]);
    if (r.code !== 0) return { code: r.code, stderr: r.stderr };
    return { code: 0, stderr: r.stderr, report: JSON.parse(readFileSync(json, 'utf8')) as Report };
  };
  /** Fills as the built-in's would be, but for the strategy id they carry. */
  const fillsOf = (r: Report | undefined): unknown[] =>
    (r?.fills ?? []).map((f) => ({ ...f, strategyId: '' }));

  it("a .ts file (relative path, default export) backtests to the built-in's very orders, reported under its own id", () => {
    const builtIn = backtest('sma-cross', join(dir, 'builtin.json'));
    expect(builtIn.code, builtIn.stderr).toBe(0);
    const ts = file('my-sma-cross.ts', SMA_COPY_TS);
    // qts runs in the repository: the path climbs out of it to the temporary folder.
    const rel = relative(ROOT, ts);
    expect(rel.startsWith('..')).toBe(true);
    const mine = backtest(rel, join(dir, 'mine.json'));
    expect(mine.code, mine.stderr).toBe(0);
    expect(mine.report?.strategy).toBe('my-sma-cross');
    expect(mine.report?.fills[0]?.strategyId).toBe('my-sma-cross');
    expect(mine.report?.orders).toBeGreaterThan(100);
    expect(mine.report?.orders).toBe(builtIn.report?.orders);
    expect(mine.report?.tradeLogSha256).toBe(builtIn.report?.tradeLogSha256);
    expect(mine.report?.finalEquityExact).toBe(builtIn.report?.finalEquityExact);
    expect(fillsOf(mine.report)).toEqual(fillsOf(builtIn.report));
  });

  it('a .js file (absolute path, its one exported Strategy subclass) gives the same orders', () => {
    const builtIn = backtest('sma-cross', join(dir, 'builtin-js.json'));
    const mine = backtest(file('my-sma-cross.js', SMA_COPY_JS), join(dir, 'mine-js.json'));
    expect(mine.code, mine.stderr).toBe(0);
    expect(mine.report?.strategy).toBe('my-sma-cross-js');
    expect(mine.report?.tradeLogSha256).toBe(builtIn.report?.tradeLogSha256);
    expect(fillsOf(mine.report)).toEqual(fillsOf(builtIn.report));
  });

  it(
    'a file that is not there, or that exports no, several or an incomplete strategy class, fails with its code',
    { timeout: 180_000 },
    () => {
      const cases: [string, string][] = [
        [join(dir, 'missing.ts'), 'ERR_STRATEGY_FILE_NOT_FOUND'],
        [file('none.ts', 'export const answer = 42;\n'), 'ERR_STRATEGY_FILE_NO_STRATEGY'],
        [
          file(
            'two.ts',
            `import { Strategy, z } from 'quant-trading-system/strategy';
export class A extends Strategy { static id = 'a'; static description = ''; static paramsSchema = z.object({}); }
export class B extends Strategy { static id = 'b'; static description = ''; static paramsSchema = z.object({}); }
`,
          ),
          'ERR_STRATEGY_FILE_AMBIGUOUS',
        ],
        [
          file(
            'bare.ts',
            `import { Strategy } from 'quant-trading-system/strategy';\nexport default class Bare extends Strategy {}\n`,
          ),
          'ERR_STRATEGY_FILE_INVALID_CLASS',
        ],
        // A Strategy of its own making is not the engine's (no onBar would ever be called on it).
        [
          file('foreign.ts', 'class Strategy { onBar() {} }\nexport class Mine extends Strategy {}\n'),
          'ERR_STRATEGY_FILE_NO_STRATEGY',
        ],
        [file('broken.ts', 'export default class {\n'), 'ERR_STRATEGY_FILE_LOAD'],
      ];
      for (const [path, code] of cases) {
        const r = backtest(path, join(dir, 'never.json'));
        expect(r.code, path).toBe(2);
        expect(r.stderr, path).toContain(`error ${code}: `);
        expect(r.stderr, path).toContain(path);
      }
    },
  );

  it(
    "optimize searches a user's .ts file on worker threads, with the built-in's results",
    { timeout: 180_000 },
    async () => {
      const ts = file('my-sma-cross-opt.ts', SMA_COPY_TS);
      const optimize = async (strategy: string, json: string) => {
        const r = await qtsAsync([
          'optimize',
          ...['--data', ORCL, '--strategy', strategy, '--param', 'fast=5:15:5', '--param', 'slow=20,30'],
          ...['--workers', '2', '--json', json, '--no-progress'],
        ]);
        expect(r.code, r.stderr).toBe(0);
        // The threads really ran the search.
        expect(r.stderr).toContain('worker threads: 2');
        return JSON.parse(readFileSync(json, 'utf8')) as {
          strategy: string;
          evaluated: number;
          results: unknown;
        };
      };
      const mine = await optimize(relative(ROOT, ts), join(dir, 'opt-mine.json'));
      const builtIn = await optimize('sma-cross', join(dir, 'opt-builtin.json'));
      expect(mine.strategy).toBe('my-sma-cross');
      expect(mine.evaluated).toBe(6);
      expect(mine.results).toEqual(builtIn.results);
    },
  );
});
