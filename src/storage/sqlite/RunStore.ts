import type Database from 'better-sqlite3';
import { QtsError } from '../../core/QtsError.js';
import type { Millis } from '../../core/time.js';
import { StorageErrorCode } from '../StorageErrorCode.js';
import { jsonText } from './jsonText.js';

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
 */
export class RunStore {
  private readonly insert: Database.Statement<[string, string, number, string]>;
  private readonly finishRun: Database.Statement<[string, number, string | null, string]>;
  private readonly byId: Database.Statement<[string], RunRow>;
  private readonly interrupt: Database.Statement<[number], string>;

  constructor(private readonly db: Database.Database) {
    this.insert = db.prepare(
      "INSERT INTO runs (id, mode, status, started_at, config) VALUES (?, ?, 'RUNNING', ?, ?)",
    );
    this.finishRun = db.prepare(
      "UPDATE runs SET status = ?, stopped_at = ?, error = ? WHERE id = ? AND status = 'RUNNING'",
    );
    this.byId = db.prepare('SELECT * FROM runs WHERE id = ?');
    this.interrupt = db
      .prepare<[number], string>(
        "UPDATE runs SET status = 'INTERRUPTED', stopped_at = ? WHERE status = 'RUNNING' RETURNING id",
      )
      .pluck();
  }

  /** Records the start of a run (status RUNNING). */
  start(run: { id: string; mode: RunMode; startedAt: Millis; config: unknown }): void {
    this.insert.run(run.id, run.mode, run.startedAt, jsonText(run.config ?? null));
  }

  /** Records how a running run ended; ERR_DB_JOURNAL when it is unknown or already ended. */
  finish(id: string, end: { stoppedAt: Millis; status: 'STOPPED' | 'FAILED'; error?: string }): void {
    const changes = this.finishRun.run(end.status, end.stoppedAt, end.error ?? null, id).changes;
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
    return this.interrupt.all(at);
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
