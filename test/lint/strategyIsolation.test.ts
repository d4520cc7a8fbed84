import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

// Strategies never read the wall clock, the environment or the network (issue 2): the lint
// rules and the layer check that the README says enforce it, each shown to refuse a probe.
const ROOT = resolve(import.meta.dirname, '../..');

/** Lints `code` as if it were the file `path` of the repository (type-aware rules off: no such file exists). */
async function lint(path: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT, overrideConfig: tseslint.configs.disableTypeChecked });
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, path) });
  return (result?.messages ?? []).map((m) => `${m.line}:${m.ruleId ?? 'parse'}`);
}

const PROBE = [
  'export const a = Date.now();',
  'export const b = process.env.API_KEY;',
  "export const c = fetch('https://example.com');",
  'export const d = setTimeout(() => undefined, 10);',
  'export const e = globalThis.process;',
  'export const f = new Date();',
  'export const g = performance.now();',
  'export const h = Math.random();',
  'export const ok = new Date(0).getUTCFullYear() + Math.max(1, 2);',
].join('\n');

describe('a strategy cannot reach the clock, the environment or the network', () => {
  it('lint refuses each probe line in src/strategies and src/strategy, and only the engine rules elsewhere', async () => {
    const strategy = [
      '1:no-restricted-properties',
      '2:no-restricted-globals',
      '3:no-restricted-globals',
      '4:no-restricted-globals',
      '5:no-restricted-properties',
      '6:no-restricted-syntax',
      '7:no-restricted-globals',
      '8:no-restricted-properties',
    ];
    expect(await lint('src/strategies/Probe.ts', PROBE)).toEqual(strategy);
    expect(await lint('src/strategy/Probe.ts', PROBE)).toEqual(strategy);
    // The rest of the engine keeps only the clock and seeded-randomness rules.
    expect(await lint('src/portfolio/Probe.ts', PROBE)).toEqual([
      '1:no-restricted-properties',
      '8:no-restricted-properties',
    ]);
  });

  it('lint refuses the ways around those rules: Date() with arguments, globalThis.Date, crypto, code in strings', async () => {
    const probe = [
      'export const a = Date(0);',
      'export const b = globalThis.Date.now();',
      'export const c = crypto.randomUUID();',
      "export const d = eval('process.env');",
      "export const e = new Function('return process')();",
      'export const ok = Date.UTC(2024, 0, 1) + new Date(0).getTime();',
    ].join('\n');
    expect(await lint('src/strategies/Probe.ts', probe)).toEqual([
      '1:no-restricted-syntax',
      '2:no-restricted-properties',
      '3:no-restricted-globals',
      '4:no-eval',
      '5:no-new-func',
    ]);
  });

  it('the layer check refuses Node built-ins and unknown packages in a strategy, and allows zod', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qts-depcruise-'));
    mkdirSync(join(dir, 'src/strategies'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext' } }));
    writeFileSync(
      join(dir, 'src/strategies/Probe.ts'),
      [
        "import { readFileSync } from 'node:fs';",
        "import { request } from 'node:https';",
        "import Redis from 'ioredis';",
        "import { z } from 'zod';",
        'export const all = [readFileSync, request, Redis, z];',
      ].join('\n'),
    );
    const r = spawnSync(
      process.execPath,
      [
        join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'),
        'src',
        '--config',
        join(ROOT, '.dependency-cruiser.cjs'),
        '--output-type',
        'err',
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    const out = r.stdout + r.stderr;
    expect(r.status, out).not.toBe(0);
    expect(out).toMatch(/strategies-no-io: src\/strategies\/Probe\.ts → (node:)?fs/);
    expect(out).toMatch(/strategies-no-io: src\/strategies\/Probe\.ts → (node:)?https/);
    expect(out).toMatch(/strategies-known-packages: src\/strategies\/Probe\.ts → \S*node_modules\/ioredis\//);
    expect(out).not.toMatch(/node_modules\/zod\//);
  });
});
