import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { QtsError } from '../../core/QtsError.js';
import { StorageErrorCode } from '../StorageErrorCode.js';
import { engineLockPath, holdEngineLockIfIdle } from './lockEngineDatabase.js';

/** Options of backupDatabase. */
export interface BackupOptions {
  /** Replace a file already at the destination (default: refuse with ERR_DB_BACKUP). */
  readonly overwrite?: boolean;
  /** Told the page counts once the copy is set up and again when it is done (for a progress line). */
  readonly onProgress?: (p: { readonly totalPages: number; readonly remainingPages: number }) => void;
}

/** A verified backup. */
export interface BackupResult {
  readonly path: string;
  readonly bytes: number;
  readonly pages: number;
}

/** Asks sqlite3_backup_step to copy everything left in one step (see below). */
const ALL_PAGES = 0x7fffffff;

/**
 * A consistent ONLINE backup of a live database, for `qts db backup`.
 *
 * A file copy of a WAL database while the engine writes can capture the main file and the
 * -wal file at different moments: a torn, possibly unusable backup. This goes through
 * SQLite's backup API instead (better-sqlite3 `db.backup`), copying every page in a single
 * step: that step reads one snapshot, so the copy holds exactly the transactions committed
 * before it began, and WAL lets the engine keep committing meanwhile. (Copying in small steps
 * would let each write of another connection restart the copy from page 1 — on a busy engine,
 * possibly for ever.) The price: while the step runs, checkpoints cannot shrink the WAL past
 * its snapshot, so the WAL grows by whatever is written during the copy.
 *
 * The copy is written beside the destination, switched to a single self-contained file
 * (rollback journal, no -wal to forget), checked with `PRAGMA integrity_check` and
 * `foreign_key_check`, and only then renamed into place: a failed backup never leaves a
 * half-written file under the destination name. `source` is an open connection or a path.
 *
 * The same command restores (`--db <backup> --out <trading.db> --overwrite`), so the rename
 * must never land under a live database: a running engine keeps writing its old file, whose
 * -wal then sits beside the new one and is replayed onto it by the next reader — a restore
 * that reports success and leaves a mixed or malformed database. Refused: a destination whose
 * engine lock is held (ERR_DB_LOCKED; the lock is held through the rename so no engine starts
 * meanwhile), and one with a -wal or -journal beside it (ERR_DB_BACKUP: a connection still
 * open, or a crash's leftovers that are part of that database).
 */
export async function backupDatabase(
  source: Database.Database | string,
  dest: string,
  opts: BackupOptions = {},
): Promise<BackupResult> {
  const db = typeof source === 'string' ? openSource(source) : source;
  try {
    const target = resolve(dest);
    if (!db.memory && resolve(db.name) === target)
      fail(`${dest}: the backup destination is the database itself`);
    if (existsSync(target) && opts.overwrite !== true)
      fail(`${dest}: already exists (--overwrite to replace it)`);
    const releaseLock = lockDestination(target, dest);
    try {
      return await copyVerified(db, target, dest, opts);
    } finally {
      releaseLock();
    }
  } finally {
    if (typeof source === 'string') db.close();
  }
}

async function copyVerified(
  db: Database.Database,
  target: string,
  dest: string,
  opts: BackupOptions,
): Promise<BackupResult> {
  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.partial-${process.pid}`;
  rmSync(partial, { force: true });
  let pages = 0;
  try {
    const meta = await db.backup(partial, {
      progress: (p) => {
        opts.onProgress?.(p);
        return ALL_PAGES;
      },
    });
    pages = meta.totalPages;
    opts.onProgress?.(meta);
    verify(partial);
    renameSync(partial, target);
  } catch (e) {
    rmSync(partial, { force: true });
    if (e instanceof QtsError) throw e;
    fail(`backup to ${dest} failed: ${e instanceof Error ? e.message : String(e)}`, e);
  }
  return { path: target, bytes: statSync(target).size, pages };
}

/** Keeps engines off an existing engine database while it is replaced; see backupDatabase. */
function lockDestination(target: string, dest: string): () => void {
  // Backups written elsewhere than an engine's database have no engine lock to take.
  const release = holdEngineLockIfIdle(target);
  if (release === undefined)
    throw new QtsError(
      StorageErrorCode.Locked,
      `${dest}: the database of a running engine (lock ${engineLockPath(target)}); stop the engine before restoring over it`,
      { path: target },
    );
  for (const suffix of ['-wal', '-journal']) {
    if (!existsSync(target + suffix)) continue;
    release();
    fail(
      `${dest}${suffix} exists: the database is still open or was left by a crash, and that file would be replayed onto the copy; stop whatever has it open, or move ${dest}, ${dest}${suffix} and ${dest}-shm aside`,
    );
  }
  return release;
}

function openSource(path: string): Database.Database {
  try {
    return new Database(path, { fileMustExist: true, timeout: 5000 });
  } catch (e) {
    throw new QtsError(StorageErrorCode.Open, `${path}: ${e instanceof Error ? e.message : String(e)}`, {
      file: path,
    });
  }
}

/** Makes the copy one self-contained file and proves it sound before it takes the destination name. */
function verify(path: string): void {
  const copy = new Database(path, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
    const integrity = copy.pragma('integrity_check') as { integrity_check: string }[];
    const problems = integrity.map((r) => r.integrity_check).filter((m) => m !== 'ok');
    if (problems.length > 0) fail(`backup copy fails integrity_check: ${problems.slice(0, 5).join('; ')}`);
    const orphans = copy.pragma('foreign_key_check') as unknown[];
    if (orphans.length > 0) fail(`backup copy has ${orphans.length} rows failing foreign_key_check`);
  } finally {
    copy.close();
  }
}

function fail(message: string, cause?: unknown): never {
  throw new QtsError(StorageErrorCode.Backup, message, cause === undefined ? undefined : { cause });
}
