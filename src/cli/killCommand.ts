import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { CommandQueue } from '../storage/sqlite/CommandQueue.js';
import { RiskStateStore } from '../storage/sqlite/RiskStateStore.js';
import { openDatabase } from '../storage/sqlite/openDatabase.js';
import { DB_OPTION_HELP, engineDatabase } from './engineDatabase.js';

interface KillOptions {
  db?: string;
  flatten?: boolean;
  reason?: string;
}

/**
 * `qts kill` / `qts resume`: the kill switch from a terminal. It records HALTED with the
 * kill-switch flag in the database at once — so the engine is halted even if it is not
 * running now, and stays halted across restarts — and queues a command that a running
 * engine executes within a second: cancel every open order, flatten positions on request.
 */
export function registerKillCommands(program: Command): void {
  program
    .command('kill')
    .description(
      'kill switch: cancel all open orders, optionally flatten positions, and halt trading (persists across restarts)',
    )
    .option('--db <path>', DB_OPTION_HELP)
    .option('--flatten', 'also close every position at market')
    .option('--reason <text>', 'why (recorded in the risk state and audit trail)', 'kill switch from the CLI')
    .action((opts: KillOptions) => {
      const path = engineDatabase(opts.db);
      const db = openNoting(path);
      try {
        const now = Date.now();
        const reason = opts.reason ?? 'kill switch from the CLI';
        new RiskStateStore(db).save({ state: 'HALTED', reason, since: now, killSwitch: true });
        const id = new CommandQueue(db).enqueue({
          ts: now,
          command: 'kill',
          args: { flatten: opts.flatten === true, reason },
          issuedBy: 'cli',
        });
        process.stdout.write(
          `HALTED (kill switch) recorded in ${path}; command #${id} queued for the running engine${opts.flatten ? ' (with flatten)' : ''}\n`,
        );
      } finally {
        db.close();
      }
    });
  program
    .command('resume')
    .description('lift the kill switch or a circuit breaker: trading state back to ACTIVE')
    .option('--db <path>', DB_OPTION_HELP)
    .option('--reason <text>', 'why', 'resumed from the CLI')
    .action((opts: KillOptions) => {
      const path = engineDatabase(opts.db);
      const db = openNoting(path);
      try {
        const now = Date.now();
        const reason = opts.reason ?? 'resumed from the CLI';
        new RiskStateStore(db).save({ state: 'ACTIVE', reason, since: now, killSwitch: false });
        const id = new CommandQueue(db).enqueue({
          ts: now,
          command: 'resume',
          args: { reason },
          issuedBy: 'cli',
        });
        process.stdout.write(`ACTIVE recorded in ${path}; command #${id} queued for the running engine\n`);
      } finally {
        db.close();
      }
    });
}

/**
 * Opens the database, saying so when it had to create it: the state is recorded for an engine
 * that starts on it later, but an engine running on another database is not halted.
 */
function openNoting(path: string): ReturnType<typeof openDatabase> {
  const existed = existsSync(path);
  const db = openDatabase(path);
  if (!existed)
    process.stderr.write(
      `warning: there was no database at ${path}; created it. An engine running on another database does not see this (give it with --db).\n`,
    );
  return db;
}
