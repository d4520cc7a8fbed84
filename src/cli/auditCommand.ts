import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { CommanderError } from 'commander';
import { loadDotEnv } from '../config/loadDotEnv.js';
import { loadConfig } from '../config/loadConfig.js';
import { QtsError } from '../core/QtsError.js';
import type { AuditEntry, AuditQuery } from '../monitor/AuditSink.js';
import { queryAuditLog } from '../monitor/audit/queryAuditLog.js';
import { verifyAuditLog } from '../monitor/audit/verifyAuditLog.js';
import { plainNumber } from './plainNumber.js';

interface DirOptions {
  dir?: string;
  config?: string;
}

interface QueryOptions extends DirOptions {
  kind?: string;
  actor?: string;
  from?: string;
  to?: string;
  text?: string;
  limit?: string;
  json?: boolean;
}

/** The audit folder: --dir, else `audit.dir` of the configuration (and `.env`). */
function auditDir(opts: DirOptions): string {
  if (opts.dir !== undefined) return opts.dir;
  loadDotEnv();
  return loadConfig(opts.config === undefined ? {} : { file: opts.config }).audit.dir;
}

/** A time given as ISO date/time or Unix milliseconds. */
function parseTime(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(t)) throw new QtsError('ERR_BAD_ARGUMENT', `--${name}: not a date or Unix ms: ${v}`);
  return t;
}

function printEntries(entries: readonly AuditEntry[], json: boolean): void {
  for (const e of entries) {
    process.stdout.write(
      json
        ? `${JSON.stringify(e)}\n`
        : `${e.seq}\t${new Date(e.time).toISOString()}\t${e.kind}\t${e.actor}\t${JSON.stringify(e.data)}\n`,
    );
  }
}

/** `qts audit verify|tail|query`: check and read the hash-chained audit trail. */
export function registerAuditCommand(program: Command): void {
  const audit = program.command('audit').description('the hash-chained audit trail: verify, tail, query');
  audit
    .command('verify')
    .description(
      'check every line of every audit file; prints OK or the first broken line as file:line (exit 1)',
    )
    .option('--dir <folder>', 'audit folder (default: audit.dir of the configuration, logs/app/audit)')
    .option('--config <file>', 'configuration file (default config/qts.json)')
    .action((opts: DirOptions) => {
      const dir = auditDir(opts);
      // A mistyped --dir (or audit.dir) must not pass as "OK: 0 records": nothing was checked.
      if (!existsSync(dir) || !statSync(dir).isDirectory())
        throw new QtsError(
          'ERR_AUDIT_DIR',
          `${dir} is not a folder: nothing to verify (give the audit folder with --dir, or set audit.dir / AUDIT_DIR)`,
          { dir },
        );
      const v = verifyAuditLog(dir);
      for (const f of v.tornFragments)
        process.stdout.write(`note: ${join(dir, f)} holds a partial line set aside after a crash\n`);
      if (v.problem === undefined) {
        process.stdout.write(
          `OK: ${v.records} records in ${v.files} files, chain intact; last seq ${v.lastSeq}, hash ${v.lastHash}\n`,
        );
        return;
      }
      process.stdout.write(
        `TAMPERED: ${join(dir, v.problem.file)}:${v.problem.line}: ${v.problem.reason}\n` +
          `(${v.records} records before it are intact; last intact seq ${v.lastSeq}, hash ${v.lastHash})\n`,
      );
      throw new CommanderError(1, 'qts.audit.tampered', '');
    });
  audit
    .command('tail')
    .description('the newest audit records, oldest of them first')
    .option('-n, --lines <n>', 'how many', '20')
    .option('--dir <folder>', 'audit folder (default: audit.dir of the configuration)')
    .option('--config <file>', 'configuration file')
    .option('--json', 'one JSON object per line')
    .action((opts: DirOptions & { lines: string; json?: boolean }) => {
      const n = plainNumber(opts.lines);
      if (!Number.isSafeInteger(n) || n < 1)
        throw new QtsError('ERR_BAD_ARGUMENT', `--lines: not a count: ${opts.lines}`);
      printEntries(queryAuditLog(auditDir(opts), { limit: n }).reverse(), opts.json === true);
    });
  audit
    .command('query')
    .description('audit records matching filters, newest first')
    .option('--kind <kind>', 'e.g. order.intent, risk.denied, order.filled, trading.state, config.loaded')
    .option('--actor <actor>', 'e.g. a strategy id, api:<token name>, system')
    .option('--from <time>', 'ISO date/time or Unix ms')
    .option('--to <time>', 'ISO date/time or Unix ms')
    .option('--text <text>', 'substring of the record data')
    .option('--limit <n>', 'at most this many', '100')
    .option('--dir <folder>', 'audit folder (default: audit.dir of the configuration)')
    .option('--config <file>', 'configuration file')
    .option('--json', 'one JSON object per line')
    .action((opts: QueryOptions) => {
      const limit = plainNumber(opts.limit ?? '');
      if (!Number.isSafeInteger(limit) || limit < 1)
        throw new QtsError('ERR_BAD_ARGUMENT', `--limit: not a count: ${opts.limit}`);
      const from = parseTime('from', opts.from);
      const to = parseTime('to', opts.to);
      const q: AuditQuery = {
        limit,
        ...(opts.kind === undefined ? {} : { kind: opts.kind }),
        ...(opts.actor === undefined ? {} : { actor: opts.actor }),
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
        ...(opts.text === undefined ? {} : { text: opts.text }),
      };
      printEntries(queryAuditLog(auditDir(opts), q), opts.json === true);
    });
}
