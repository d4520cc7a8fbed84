/** A live engine child process (liveEngineChild.ts) as the crash sweep drives it. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./liveEngineChild.ts', import.meta.url));

export class EngineProcess {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves true on READY, false if the process ended first. */
  readonly ready: Promise<boolean>;
  stderr = '';
  private readonly child: ChildProcess;

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    this.ready = new Promise((resolve) => {
      let out = '';
      this.child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('READY')) resolve(true);
      });
      void this.exited.then(() => resolve(false));
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** kill -9, by this child's pid only. */
  kill9(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  /** Graceful stop; resolves with how it ended. */
  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.child.kill('SIGTERM');
    return this.exited;
  }
}
