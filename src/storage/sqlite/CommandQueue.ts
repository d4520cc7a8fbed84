import type Database from 'better-sqlite3';
import type { Millis } from '../../core/time.js';

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
 * two re-runs a command whose effects (cancel all, halt) are idempotent anyway.
 */
export class CommandQueue {
  private readonly insert: Database.Statement<[number, string, string, string]>;
  private readonly pendingRows: Database.Statement<[], CommandRow>;
  private readonly finish: Database.Statement<[string, string, number, number]>;

  constructor(db: Database.Database) {
    this.insert = db.prepare(
      "INSERT INTO engine_commands (ts, command, args, issued_by, status) VALUES (?, ?, ?, ?, 'PENDING')",
    );
    this.pendingRows = db.prepare(
      "SELECT id, ts, command, args, issued_by FROM engine_commands WHERE status = 'PENDING' ORDER BY id",
    );
    this.finish = db.prepare('UPDATE engine_commands SET status = ?, result = ?, done_at = ? WHERE id = ?');
  }

  enqueue(cmd: Omit<EngineCommand, 'id'>): number {
    return Number(
      this.insert.run(cmd.ts, cmd.command, JSON.stringify(cmd.args), cmd.issuedBy).lastInsertRowid,
    );
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
    this.finish.run(ok ? 'DONE' : 'FAILED', result, at, id);
  }
}
