import type { Millis } from '../core/time.js';
import type { CommandQueue } from '../storage/sqlite/CommandQueue.js';
import type { KillSwitchTarget } from './killSwitch.js';
import { engageKillSwitch, liftKillSwitch } from './killSwitch.js';

const COMMAND_POLL_MS = 1_000;

/**
 * The operator's kill switch on a running engine, asked through the API or queued in the
 * database by another process (the CLI, which cannot reach the engine's memory): a queued
 * command is executed once, and its outcome recorded for the process that queued it.
 */
export class RuntimeCommands {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly target: KillSwitchTarget,
    private readonly queue: CommandQueue,
    private readonly now: () => Millis,
  ) {}

  /** Polls the queue until stopPolling; the runtime starts it once its market data flows. */
  startPolling(): void {
    this.timer = setInterval(() => this.runPending(), COMMAND_POLL_MS);
  }

  stopPolling(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  /** Executes commands queued by other processes (the CLI kill switch). */
  runPending(): void {
    for (const cmd of this.queue.pending()) {
      try {
        const result =
          cmd.command === 'kill'
            ? this.kill(cmd.args.flatten === true, cmd.args.reason ?? 'kill switch', cmd.issuedBy)
            : this.resume(cmd.args.reason ?? 'resume', cmd.issuedBy);
        this.queue.complete(cmd.id, true, result, this.now());
      } catch (e) {
        this.queue.complete(cmd.id, false, (e as Error).message, this.now());
      }
    }
  }

  /** Kill switch: cancel every open order, flatten on request, then HALTED (persisted). */
  kill(flatten: boolean, reason: string, by: string): string {
    return engageKillSwitch(this.target, this.now(), flatten, reason, by);
  }

  resume(reason: string, by: string): string {
    return liftKillSwitch(this.target, this.now(), reason, by);
  }
}
