import type Database from 'better-sqlite3';
import type { Fixed } from '../../core/Fixed.js';
import { formatFixed, parseFixed } from '../../core/Fixed.js';
import { QtsError } from '../../core/QtsError.js';
import type { Millis } from '../../core/time.js';
import { isoTime } from '../../core/time.js';
import type { TradingState } from '../../risk/TradingState.js';
import { guardWrite } from './writeError.js';

/** The risk engine's trading state as it must survive a restart. */
export interface RiskStateRecord {
  readonly state: TradingState;
  /** Why it is in this state ("kill switch by api user alice", "daily loss 5.2% > 5%"). */
  readonly reason: string;
  /** When it entered this state. */
  readonly since: Millis;
  /** Set by the kill switch: only a deliberate reset may clear it, never a restart. */
  readonly killSwitch: boolean;
}

interface StateRow {
  state: TradingState;
  reason: string;
  since: number;
  kill_switch: number;
}

/**
 * Trading state, kill switch and each UTC day's starting equity, persisted so a restart
 * neither lifts a halt nor resets the daily loss limit. State changes are appended, never
 * overwritten: the current state is the newest row and `history` explains how it got there.
 * A write SQLite refuses (full disk, read-only file) is ERR_DB_WRITE.
 */
export class RiskStateStore {
  private readonly append: (state: string, reason: string, since: number, kill: number) => Database.RunResult;
  private readonly latest: Database.Statement<[], StateRow>;
  private readonly recent: Database.Statement<[number], StateRow>;
  private readonly insertDay: (day: string, equity: string, ts: number) => Database.RunResult;
  private readonly replaceDay: (day: string, equity: string, ts: number) => Database.RunResult;
  private readonly dayEquity: Database.Statement<[string], string>;

  constructor(db: Database.Database) {
    const append = db.prepare<[string, string, number, number]>(
      'INSERT INTO risk_state (state, reason, since, kill_switch) VALUES (?, ?, ?, ?)',
    );
    this.append = guardWrite(append.run.bind(append), (state) => `trading state ${state} not saved`);
    this.latest = db.prepare(
      'SELECT state, reason, since, kill_switch FROM risk_state ORDER BY id DESC LIMIT 1',
    );
    this.recent = db.prepare(
      'SELECT state, reason, since, kill_switch FROM risk_state ORDER BY id DESC LIMIT ?',
    );
    const insertDay = db.prepare<[string, string, number]>(
      'INSERT INTO risk_daily_equity (day, start_equity, ts) VALUES (?, ?, ?) ON CONFLICT (day) DO NOTHING',
    );
    const replaceDay = db.prepare<[string, string, number]>(
      `INSERT INTO risk_daily_equity (day, start_equity, ts) VALUES (?, ?, ?)
       ON CONFLICT (day) DO UPDATE SET start_equity = excluded.start_equity, ts = excluded.ts`,
    );
    this.insertDay = guardWrite(insertDay.run.bind(insertDay), (day) => `start equity of ${day} not saved`);
    this.replaceDay = guardWrite(
      replaceDay.run.bind(replaceDay),
      (day) => `start equity of ${day} not saved`,
    );
    this.dayEquity = db
      .prepare<[string], string>('SELECT start_equity FROM risk_daily_equity WHERE day = ?')
      .pluck();
  }

  /** The last saved state, or undefined on a fresh database (the caller starts ACTIVE). */
  load(): RiskStateRecord | undefined {
    const row = this.latest.get();
    return row && recordOf(row);
  }

  /** Records a state change. The kill switch only goes with HALTED (a table constraint too). */
  save(record: RiskStateRecord): void {
    if (record.killSwitch && record.state !== 'HALTED') {
      throw new QtsError('ERR_RISK_STATE', `kill switch set with state ${record.state}: it implies HALTED`);
    }
    this.append(record.state, record.reason, record.since, record.killSwitch ? 1 : 0);
  }

  /** The newest `limit` state changes, newest first. */
  history(limit = 100): RiskStateRecord[] {
    return this.recent.all(limit).map(recordOf);
  }

  /**
   * The starting equity of the UTC day containing `ts`. The first value recorded for a day
   * stays: an engine restarted at 15:00 after losing money must keep measuring the day's loss
   * from the morning's equity, not from the loss. Returns the value in force.
   */
  recordDailyStartEquity(ts: Millis, equity: Fixed): Fixed {
    const day = utcDay(ts);
    this.insertDay(day, formatFixed(equity), ts);
    return this.dailyStartEquity(ts) ?? equity;
  }

  /**
   * Moves the day's starting equity to `equity`: only for an operator's resume after the daily
   * loss limit tripped, which makes the limit count again from the equity at the resume.
   */
  rebaseDailyStartEquity(ts: Millis, equity: Fixed): void {
    this.replaceDay(utcDay(ts), formatFixed(equity), ts);
  }

  /** The recorded starting equity of the UTC day containing `ts`, if any. */
  dailyStartEquity(ts: Millis): Fixed | undefined {
    const text = this.dayEquity.get(utcDay(ts));
    return text === undefined ? undefined : parseFixed(text);
  }
}

/** "YYYY-MM-DD" of a timestamp, in UTC. */
function utcDay(ts: Millis): string {
  return isoTime(ts).slice(0, 10);
}

function recordOf(row: StateRow): RiskStateRecord {
  return { state: row.state, reason: row.reason, since: row.since, killSwitch: row.kill_switch === 1 };
}
