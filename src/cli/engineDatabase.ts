import { loadConfig } from '../config/loadConfig.js';
import { loadDotEnv } from '../config/loadDotEnv.js';
import { QtsError, isQtsError } from '../core/QtsError.js';

/** Help text of every `--db` option. */
export const DB_OPTION_HELP =
  'the engine database (default: the one the engine uses, storage.dbPath: DB_PATH in the environment or .env, config/qts.json, else data/trading.db)';

/**
 * The database a command works on: `--db`, else the engine's own (storage.dbPath, DB_PATH from
 * the environment or `.env` included). A fixed default let `qts kill` record HALTED in a file
 * no engine reads while the engine on DB_PATH traded on, and `qts data import` fill a file the
 * api mode never opened.
 */
export function engineDatabase(db: string | undefined): string {
  if (db !== undefined) return db;
  loadDotEnv();
  try {
    return loadConfig().storage.dbPath;
  } catch (e) {
    if (!isQtsError(e)) throw e;
    throw new QtsError(e.code, `${e.message} (or name the database with --db)`);
  }
}
