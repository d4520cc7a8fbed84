import { readFileSync } from 'node:fs';

/** CPU time of the calling thread alone, and how long it waited for a core. */
export interface ThreadCpu {
  /** Time this thread ran on a core, ms. */
  readonly cpuMs: number;
  /**
   * Time this thread was ready to run but every core was taken (by other processes or by
   * this process's own threads), ms: the load of the machine as this thread felt it.
   */
  readonly runQueueMs: number;
}

/**
 * The calling thread's scheduler counters (Linux `/proc/thread-self/schedstat`), or
 * undefined where the kernel does not give them. Node 20 has no per-thread CPU clock
 * (`process.cpuUsage()` sums every thread of the process, V8's GC helpers included), and a
 * worker's own CPU time is what tells a busy machine from a slow worker.
 */
export function threadCpu(): ThreadCpu | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/thread-self/schedstat', 'latin1');
  } catch {
    return undefined;
  }
  const [run, wait] = text.trim().split(/\s+/).map(Number);
  if (run === undefined || wait === undefined || !Number.isFinite(run) || !Number.isFinite(wait))
    return undefined;
  return { cpuMs: run / 1e6, runQueueMs: wait / 1e6 };
}
