import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

describe('compiled engine code across full collections', () => {
  it('a full collection between backtests does not deoptimize the engine ("weak objects")', () => {
    // V8 holds an object's hidden class weakly once no object has it; if a finished run's orders,
    // resting orders, engine, trade log and paths were all garbage, a full collection dropped
    // their classes and marked the code compiled for them for deoptimization (about 60 functions
    // here before the engine kept one object of each). The first two runs warm the engine up.
    const r = spawnSync(
      process.execPath,
      [
        '--expose-gc',
        '--trace-deopt',
        '--import',
        'tsx',
        join(ROOT, 'test/backtest/support/runsAcrossFullGc.ts'),
      ],
      { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    // The runs happened and traded: the count below is about real work.
    expect(lines.filter((l) => /^orders [1-9]\d*$/.test(l))).toHaveLength(4);
    const afterWarmUp = lines.slice(lines.indexOf('--- full collection 2'));
    expect(afterWarmUp.length).toBeLessThan(lines.length);
    const weak = afterWarmUp.filter((l) => l.includes('reason: weak objects'));
    expect(weak, weak.join('\n')).toEqual([]);
  });
});
