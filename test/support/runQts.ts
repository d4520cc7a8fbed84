import { spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

/** The repository root, where `qts` runs (as `npx qts` does from a checkout). */
export const ROOT = resolve(import.meta.dirname, '../..');

/** What one run of `qts` printed and how it exited. */
export interface QtsRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real `qts` binary, as `npx qts` does, and captures everything. */
export function qts(args: readonly string[]): QtsRun {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/qts.js'), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The same without blocking the test process (a run that uses worker threads or a server). */
export function qtsAsync(args: readonly string[]): Promise<QtsRun> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/qts.js'), ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.once('close', (code) => res({ code: code ?? -1, stdout, stderr }));
  });
}
