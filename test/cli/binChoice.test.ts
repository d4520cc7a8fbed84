import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const dirs: string[] = [];

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/**
 * A checkout in miniature: the real bin/qts.js beside a src/ and a dist/ whose entry points
 * only say which one ran, and the project's node_modules (tsx) linked in.
 */
function checkout(parts: { sources?: boolean; build?: boolean } = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'qts-bin-'));
  dirs.push(root);
  mkdirSync(join(root, 'bin'));
  for (const f of ['qts.js', 'changedSince.js']) copyFileSync(join(ROOT, 'bin', f), join(root, 'bin', f));
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
  writeFileSync(join(root, 'package.json'), '{"type":"module"}\n');
  writeFileSync(join(root, 'tsconfig.json'), '{}\n');
  if (parts.sources !== false) {
    mkdirSync(join(root, 'src/cli'), { recursive: true });
    mkdirSync(join(root, 'src/core'), { recursive: true });
    writeFileSync(join(root, 'src/cli/main.ts'), "const from: string = 'sources';\nconsole.log(from);\n");
    writeFileSync(join(root, 'src/core/deep.ts'), 'export const x = 1;\n');
  }
  if (parts.build !== false) {
    mkdirSync(join(root, 'dist/cli'), { recursive: true });
    writeFileSync(join(root, 'dist/cli/main.js'), "console.log('dist');\n");
  }
  return root;
}

/** Sets a file's modification time to `seconds` after a fixed epoch. */
function touch(root: string, file: string, seconds: number): void {
  const t = 1_700_000_000 + seconds;
  utimesSync(join(root, file), t, t);
}

function ran(root: string, choice?: '0' | '1'): string {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['QTS_USE_DIST'];
  if (choice !== undefined) env['QTS_USE_DIST'] = choice;
  const r = spawnSync(process.execPath, [join(root, 'bin/qts.js')], { cwd: root, encoding: 'utf8', env });
  expect(r.stderr).toBe('');
  return r.stdout.trim();
}

/** Every file of the miniature checkout at time 0, the build at `builtAt`. */
function ages(root: string, builtAt: number): void {
  for (const f of ['tsconfig.json', 'src/cli/main.ts', 'src/core/deep.ts']) touch(root, f, 0);
  touch(root, 'dist/cli/main.js', builtAt);
}

describe('bin/qts.js: compiled or sources', () => {
  it('runs the build when it is newer than every source file and tsconfig', () => {
    const root = checkout();
    ages(root, 10);
    expect(ran(root)).toBe('dist');
  });

  it('runs the sources once any file under src/ (however deep) or a tsconfig changed after the build', () => {
    const root = checkout();
    ages(root, 10);
    touch(root, 'src/core/deep.ts', 20);
    expect(ran(root)).toBe('sources');
    touch(root, 'src/core/deep.ts', 0);
    touch(root, 'tsconfig.json', 20);
    expect(ran(root)).toBe('sources');
  });

  it('runs the sources when there is no build, and the build when there are no sources (an installed package)', () => {
    expect(ran(checkout({ build: false }))).toBe('sources');
    expect(ran(checkout({ sources: false }))).toBe('dist');
  });

  it('runs the sources when it cannot tell: a dangling link under src/', () => {
    const root = checkout();
    ages(root, 10);
    symlinkSync(join(root, 'src/nowhere.ts'), join(root, 'src/core/dangling.ts'));
    expect(ran(root)).toBe('sources');
  });

  it('QTS_USE_DIST=1 forces the build, QTS_USE_DIST=0 the sources', () => {
    const stale = checkout();
    ages(stale, 10);
    touch(stale, 'src/cli/main.ts', 20);
    expect(ran(stale, '1')).toBe('dist');
    const fresh = checkout();
    ages(fresh, 10);
    expect(ran(fresh, '0')).toBe('sources');
  });
});
