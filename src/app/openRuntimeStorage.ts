import type { Logger } from 'pino';
import type { AppConfig } from '../config/configSchema.js';
import type { Millis } from '../core/time.js';
import { QtsError } from '../core/QtsError.js';
import { redactSecrets } from '../monitor/redactSecrets.js';
import { StorageErrorCode } from '../storage/StorageErrorCode.js';
import { CommandQueue } from '../storage/sqlite/CommandQueue.js';
import { LedgerStore } from '../storage/sqlite/LedgerStore.js';
import { OrderStore } from '../storage/sqlite/OrderStore.js';
import { RiskStateStore } from '../storage/sqlite/RiskStateStore.js';
import { RunStore } from '../storage/sqlite/RunStore.js';
import type { SqliteDatabase } from '../storage/sqlite/openDatabase.js';
import { openDatabase } from '../storage/sqlite/openDatabase.js';
import { lockEngineDatabase } from '../storage/sqlite/lockEngineDatabase.js';

/** The records a shadow or live engine keeps in its database. */
export interface RuntimeStores {
  readonly orders: OrderStore;
  readonly ledger: LedgerStore;
  readonly risk: RiskStateStore;
  readonly runs: RunStore;
  readonly commands: CommandQueue;
}

/** The engine's system of record, opened, and the run this session records in it. */
export interface RuntimeStorage {
  readonly db: SqliteDatabase;
  readonly stores: RuntimeStores;
  readonly runId: string;
  /** Closes the database and releases it for the next engine (call once, at the very end). */
  readonly close: () => void;
}

/**
 * Opens the engine's SQLite database (creating its folder), locks it against a second engine
 * (ERR_DB_LOCKED), refuses a database of the other trading mode (ERR_DB_MODE_MISMATCH) and
 * records this session as a new run started now. Runs that ended without a clean stop are
 * marked interrupted: this one resumes from what they left in the database.
 */
export function openRuntimeStorage(
  config: AppConfig,
  mode: 'shadow' | 'live',
  now: () => Millis,
  log: Logger,
): RuntimeStorage {
  // The lock first, before the file is even opened: opening migrates, and a second engine of a
  // newer build must not change the schema under the running one (nor touch its run).
  const unlock = lockEngineDatabase(config.storage.dbPath);
  let db: SqliteDatabase;
  try {
    // openDatabase names the path (ERR_DB_OPEN) when it cannot open it.
    // Checked page by page: a damaged journal is refused here, not halfway through a restore.
    db = openDatabase(config.storage.dbPath, {
      check: true,
      synchronous: config.storage.synchronous,
      engineLocked: true,
    });
  } catch (e) {
    unlock();
    throw e;
  }
  const close = (): void => {
    db.close();
    unlock();
  };
  const stores = {
    orders: new OrderStore(db),
    ledger: new LedgerStore(db),
    risk: new RiskStateStore(db),
    runs: new RunStore(db),
    commands: new CommandQueue(db),
  };
  try {
    refuseOtherMode(config.storage.dbPath, mode, stores.runs);
  } catch (e) {
    close();
    throw e;
  }
  const startedAt = now();
  const interrupted = stores.runs.markInterrupted(startedAt);
  if (interrupted.length > 0)
    log.warn({ runs: interrupted }, 'previous run(s) ended without a clean stop: resuming from the database');
  const runId = `${mode}-${startedAt}`;
  // The runs table is read by the API: every secret-named field is blanked (tokens, keys, passwords).
  stores.runs.start({ id: runId, mode, startedAt, config: redactSecrets(config) });
  return { db, stores, runId, close };
}

/**
 * A database keeps one mode's account. Opened by the other mode, its records would be taken
 * for this mode's: a live engine would restore paper orders and fills as its own journal (and
 * report paper results as real ones), a shadow engine would simulate fills of orders resting
 * on the exchange, which the next live start would find ended in its journal while the
 * exchange still works them. Refused before anything is written, the file unchanged.
 */
function refuseOtherMode(dbPath: string, mode: 'shadow' | 'live', runs: RunStore): void {
  const other = mode === 'live' ? 'shadow' : 'live';
  const last = runs.list({ mode: other, limit: 1 })[0];
  if (last === undefined) return;
  throw new QtsError(
    StorageErrorCode.ModeMismatch,
    `${dbPath} is a ${other} engine's database (run ${last.id}): a ${mode} engine does not open it, so ${
      mode === 'live'
        ? 'paper orders, fills and positions are never taken for real ones'
        : 'real orders are never handled as paper ones'
    }; give each mode its own database (storage.dbPath or DB_PATH, e.g. data/${mode}.db)`,
    { dbPath, mode, otherMode: other, runId: last.id },
  );
}
