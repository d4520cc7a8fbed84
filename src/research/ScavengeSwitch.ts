import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';

/**
 * Turns V8's parallel scavenges off while worker pools fill every core, and back on when the
 * last such pool closes.
 *
 * A backtest allocates fast and keeps little, so each young-generation collection has almost
 * nothing to copy, and V8's helper threads that share it mostly wait on each other. With an
 * idle core that waiting is free and makes one worker 2-4 % faster; with a worker on every
 * core the helpers take their time from the workers (measured on 2 cores: 4-6 % of the CPU
 * per combination, 8-10 % of the throughput). Node takes no V8 flag per worker thread, and
 * this one is read at each collection, so it is switched for the whole process; a flag the
 * user gave node on the command line is left alone.
 */
export class ScavengeSwitch {
  private holders = 0;

  constructor(
    private readonly setFlags: (flags: string) => void = setFlagsFromString,
    private readonly execArgv: readonly string[] = process.execArgv,
  ) {}

  /**
   * Called as a pool of `workers` threads starts; returns what to call when it closes
   * (once is enough, more calls do nothing).
   */
  acquire(workers: number, cores: number = availableParallelism()): () => void {
    if (workers < cores || this.userChose()) return () => {};
    if (this.holders++ === 0) this.setFlags('--no-parallel-scavenge');
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.holders === 0) this.setFlags('--parallel-scavenge');
    };
  }

  /** Whether serial scavenges are on now because of pools. */
  get active(): boolean {
    return this.holders > 0;
  }

  private userChose(): boolean {
    return this.execArgv.some((a) => /^--(no-)?parallel[-_]scavenge|^--single[-_]threaded/.test(a));
  }
}

/** The switch every {@link ThreadPoolEvaluator} of this process shares. */
export const scavengeSwitch = new ScavengeSwitch();
