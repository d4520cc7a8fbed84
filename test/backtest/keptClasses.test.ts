import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Names of the functions, methods and classes declared under src/: V8's deopt trace names a
 * function but not its file, and the tsx loader's own message ports (Node internals such as
 * `addEventListener`) now and then lose compiled code in the same collections.
 */
function sourceNames(): Set<string> {
  const names = new Set<string>(['<instance_members_initializer>']);
  const declared =
    /(?:\bfunction\s+|\bclass\s+|^\s*(?:(?:private|protected|public|static|async|get|set|override|readonly)\s+)*)([A-Za-z_$][\w$]*)\s*[(<{]/gm;
  const visit = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) visit(path);
      else if (e.name.endsWith('.ts'))
        for (const m of readFileSync(path, 'utf8').matchAll(declared)) names.add(m[1] as string);
    }
  };
  visit(join(ROOT, 'src'));
  return names;
}

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
    expect(lines.filter((l) => /^orders [1-9]\d*$/.test(l))).toHaveLength(5);
    // The deopt trace reaches stdout (the warm-up always deoptimizes something): an empty
    // trace cannot pass for a clean one.
    expect(lines.some((l) => l.includes('deoptimiz'))).toBe(true);
    const warmedUp = lines.indexOf('--- full collection 2');
    expect(warmedUp).toBeGreaterThan(0);
    const ours = sourceNames();
    const weak = lines.slice(warmedUp).filter((l) => {
      if (!l.includes('reason: weak objects')) return false;
      const name = /<SharedFunctionInfo ([^>]*)>/.exec(l)?.[1];
      return name === undefined || ours.has(name);
    });
    // Dozens when a class of orders, resting orders, engine, report or paths is left to die,
    // and one or two when the bar loop compiled in a closure made per run.
    expect(weak, weak.join('\n')).toEqual([]);
  });
});
