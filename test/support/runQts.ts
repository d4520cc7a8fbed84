import { spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

/** The repository root, where `qts` runs (as `npx qts` does from a checkout). */
export const ROOT = resolve(import.meta.dirname, '../..');

const BIN = join(ROOT, 'bin/qts.js');

/** What one run of `qts` printed and how it exited. */
export interface QtsRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** How a run differs from `npx qts` typed at the repository root by this test process. */
export interface QtsOptions {
  /** Working folder (default ROOT): where `qts` reads `.env` and resolves relative paths. */
  readonly cwd?: string;
  /**
   * The whole environment of the run (default: this process's). Pass `{ ...process.env, X }`
   * to add to it, or only what the run may see, so no secret of the test machine leaks in.
   */
  readonly env?: NodeJS.ProcessEnv;
  /** What the user pipes into `qts` (default: nothing, stdin at end of file at once). */
  readonly input?: string;
}

/** Runs the real `qts` binary, as `npx qts` does, and captures everything. */
export function qts(args: readonly string[], opts: QtsOptions = {}): QtsRun {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: opts.env,
    input: opts.input,
    encoding: 'utf8',
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The same without blocking the test process (a run that uses worker threads or a server). */
export function qtsAsync(args: readonly string[], opts: QtsOptions = {}): Promise<QtsRun> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, env: opts.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.once('close', (code) => res({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}
