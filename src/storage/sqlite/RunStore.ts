import type Database from 'better-sqlite3';
import { QtsError } from '../../core/QtsError.js';
import type { Millis } from '../../core/time.js';
import { StorageErrorCode } from '../StorageErrorCode.js';
import { jsonText } from './jsonText.js';
import { guardWrite } from './writeError.js';

/** How the engine was fed: the one choice the composition root makes. */
export const RunMode = { BACKTEST: 'backtest', SHADOW: 'shadow', LIVE: 'live' } as const;
export type RunMode = (typeof RunMode)[keyof typeof RunMode];

/** RUNNING until stopped; INTERRUPTED when found still RUNNING at the next start (a crash). */
export const RunStatus = {
  RUNNING: 'RUNNING',
  STOPPED: 'STOPPED',
  FAILED: 'FAILED',
  INTERRUPTED: 'INTERRUPTED',
} as const;
export type RunStatus = (typeof RunStatus)[keyof typeof RunStatus];

/** One run of the engine. */
export interface RunRecord {
  readonly id: string;
  readonly mode: RunMode;
  readonly status: RunStatus;
  readonly startedAt: Millis;
  readonly stoppedAt: Millis | undefined;
  /** The effective configuration, as given to `start` (secrets must be redacted before). */
  readonly config: unknown;
  readonly error: string | undefined;
}

interface RunRow {
  id: string;
  mode: RunMode;
  status: RunStatus;
  started_at: number;
  stopped_at: number | null;
  config: string;
  error: string | null;
}

/**
 * Engine runs: id, mode, start and stop, the configuration they ran with, and how they ended.
 * Ledger snapshots belong to a run. Config is stored as JSON (Fixed amounts as decimal
 * strings); the caller passes it with secrets already redacted — this table is read by the API.
 * A write SQLite refuses (full disk, read-only file) is ERR_DB_WRITE.
 */
export class RunStore {
  private readonly insert: (
    id: string,
    mode: string,
    startedAt: number,
    config: string,
  ) => Database.RunResult;
  private readonly finishRun: (
    status: string,
    stoppedAt: number,
    error: string | null,
    id: string,
  ) => Database.RunResult;
  private readonly byId: Database.Statement<[string], RunRow>;
  private readonly interrupt: (at: number) => string[];

  constructor(private readonly db: Database.Database) {
    const insert = db.prepare<[string, string, number, string]>(
      "INSERT INTO runs (id, mode, status, started_at, config) VALUES (?, ?, 'RUNNING', ?, ?)",
    );
    this.insert = guardWrite(insert.run.bind(insert), (id) => `start of run ${id} not recorded`);
    const finishRun = db.prepare<[string, number, string | null, string]>(
      "UPDATE runs SET status = ?, stopped_at = ?, error = ? WHERE id = ? AND status = 'RUNNING'",
    );
    this.finishRun = guardWrite(
      finishRun.run.bind(finishRun),
      (status, _at, _error, id) => `end of run ${id} (${status}) not recorded`,
    );
    this.byId = db.prepare('SELECT * FROM runs WHERE id = ?');
    const interrupt = db
      .prepare<[number], string>(
        "UPDATE runs SET status = 'INTERRUPTED', stopped_at = ? WHERE status = 'RUNNING' RETURNING id",
      )
      .pluck();
    this.interrupt = guardWrite(
      interrupt.all.bind(interrupt),
      (at) => `runs still RUNNING not marked INTERRUPTED at ${at}`,
    );
  }

  /** Records the start of a run (status RUNNING). */
  start(run: { id: string; mode: RunMode; startedAt: Millis; config: unknown }): void {
    this.insert(run.id, run.mode, run.startedAt, jsonText(run.config ?? null));
  }

  /** Records how a running run ended; ERR_DB_JOURNAL when it is unknown or already ended. */
  finish(id: string, end: { stoppedAt: Millis; status: 'STOPPED' | 'FAILED'; error?: string }): void {
    const changes = this.finishRun(end.status, end.stoppedAt, end.error ?? null, id).changes;
    if (changes !== 1) {
      throw new QtsError(StorageErrorCode.Journal, `run ${id} is not running (unknown or already ended)`, {
        id,
      });
    }
  }

  /**
   * Marks every run still RUNNING as INTERRUPTED (call at startup, before `start`: a run
   * that never recorded its end crashed or was killed). Returns their ids.
   */
  markInterrupted(at: Millis): string[] {
    return this.interrupt(at);
  }

  get(id: string): RunRecord | undefined {
    const row = this.byId.get(id);
    return row && recordOf(row);
  }

  /** Runs newest first, optionally of one mode. */
  list(q: { mode?: RunMode; limit?: number } = {}): RunRecord[] {
    const limit = Math.min(Math.max(Math.trunc(q.limit ?? 100), 0), 10_000);
    const rows =
      q.mode === undefined
        ? this.db
            .prepare<[number], RunRow>('SELECT * FROM runs ORDER BY started_at DESC, id DESC LIMIT ?')
            .all(limit)
        : this.db
            .prepare<[string, number], RunRow>(
              'SELECT * FROM runs WHERE mode = ? ORDER BY started_at DESC, id DESC LIMIT ?',
            )
            .all(q.mode, limit);
    return rows.map(recordOf);
  }
}

function recordOf(row: RunRow): RunRecord {
  return {
    id: row.id,
    mode: row.mode,
    status: row.status,
    startedAt: row.started_at,
    stoppedAt: row.stopped_at ?? undefined,
    config: JSON.parse(row.config) as unknown,
    error: row.error ?? undefined,
  };
}
