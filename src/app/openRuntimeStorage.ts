import type { Logger } from 'pino';
import type { AppConfig } from '../config/configSchema.js';
import type { Millis } from '../core/time.js';
import { redactSecrets } from '../monitor/redactSecrets.js';
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
 * (ERR_DB_LOCKED) and records this session as a new run started now. Runs that ended without a clean stop are marked interrupted: this one
 * resumes from what they left in the database.
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
  const startedAt = now();
  const interrupted = stores.runs.markInterrupted(startedAt);
  if (interrupted.length > 0)
    log.warn({ runs: interrupted }, 'previous run(s) ended without a clean stop: resuming from the database');
  const runId = `${mode}-${startedAt}`;
  // The runs table is read by the API: every secret-named field is blanked (tokens, keys, passwords).
  stores.runs.start({ id: runId, mode, startedAt, config: redactSecrets(config) });
  return { db, stores, runId, close };
}
