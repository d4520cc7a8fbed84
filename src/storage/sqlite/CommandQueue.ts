import type Database from 'better-sqlite3';
import type { Millis } from '../../core/time.js';
import { guardWrite } from './writeError.js';

/** A command for the running engine. */
export interface EngineCommand {
  readonly id: number;
  readonly ts: Millis;
  readonly command: 'kill' | 'resume';
  readonly args: { readonly flatten?: boolean; readonly reason?: string };
  readonly issuedBy: string;
}

interface CommandRow {
  id: number;
  ts: number;
  command: string;
  args: string;
  issued_by: string;
}

/**
 * Commands from other processes (the CLI) to the engine that owns the database. Each is
 * taken once: `take` marks nothing; `complete` records the outcome, so a crash between the
 * two re-runs a command whose effects (cancel all, halt) are idempotent anyway. A write SQLite
 * refuses (full disk, read-only file) is ERR_DB_WRITE.
 */
export class CommandQueue {
  private readonly insert: (
    ts: number,
    command: string,
    args: string,
    issuedBy: string,
  ) => Database.RunResult;
  private readonly pendingRows: Database.Statement<[], CommandRow>;
  private readonly finish: (status: string, result: string, at: number, id: number) => Database.RunResult;

  constructor(db: Database.Database) {
    const insert = db.prepare<[number, string, string, string]>(
      "INSERT INTO engine_commands (ts, command, args, issued_by, status) VALUES (?, ?, ?, ?, 'PENDING')",
    );
    this.insert = guardWrite(insert.run.bind(insert), (_ts, command) => `command ${command} not queued`);
    this.pendingRows = db.prepare(
      "SELECT id, ts, command, args, issued_by FROM engine_commands WHERE status = 'PENDING' ORDER BY id",
    );
    const finish = db.prepare<[string, string, number, number]>(
      'UPDATE engine_commands SET status = ?, result = ?, done_at = ? WHERE id = ?',
    );
    this.finish = guardWrite(
      finish.run.bind(finish),
      (_s, _r, _at, id) => `outcome of command ${id} not recorded`,
    );
  }

  enqueue(cmd: Omit<EngineCommand, 'id'>): number {
    return Number(this.insert(cmd.ts, cmd.command, JSON.stringify(cmd.args), cmd.issuedBy).lastInsertRowid);
  }

  pending(): EngineCommand[] {
    return this.pendingRows.all().map((r) => ({
      id: r.id,
      ts: r.ts,
      command: r.command === 'resume' ? 'resume' : 'kill',
      args: JSON.parse(r.args) as EngineCommand['args'],
      issuedBy: r.issued_by,
    }));
  }

  complete(id: number, ok: boolean, result: string, at: Millis): void {
    this.finish(ok ? 'DONE' : 'FAILED', result, at, id);
  }
}
