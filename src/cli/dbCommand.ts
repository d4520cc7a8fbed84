import type { Command } from 'commander';
import { backupDatabase } from '../storage/sqlite/backupDatabase.js';
import { DB_OPTION_HELP, engineDatabase } from './engineDatabase.js';

/**
 * `qts db backup --out FILE`: a consistent copy of the live database through SQLite's
 * online backup API (never a raw copy of a WAL file that is being written), checked for
 * integrity before it is put in place. It also restores (`--db <backup> --out <engine db>
 * --overwrite`), refused while an engine runs on the destination (README, "Restore").
 */
export function registerDbCommand(program: Command): void {
  const db = program.command('db').description('database maintenance');
  db.command('backup')
    .description('consistent online backup of the engine database, integrity-checked')
    .option('--db <path>', DB_OPTION_HELP)
    .requiredOption('--out <file>', 'where to write the backup')
    .option('--overwrite', 'replace an existing file (a restore: stop the engine first)')
    .action(async (opts: { db?: string; out: string; overwrite?: boolean }) => {
      const r = await backupDatabase(engineDatabase(opts.db), opts.out, {
        overwrite: opts.overwrite === true,
      });
      process.stdout.write(`backup ${r.path}: ${r.bytes} bytes, ${r.pages} pages, integrity ok\n`);
    });
}
