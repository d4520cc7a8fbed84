/** The error codes of the storage layer, carried by QtsError so callers branch on them. */
export const StorageErrorCode = {
  /** The file cannot be opened as our database: missing, not SQLite, or another application's. */
  Open: 'ERR_DB_OPEN',
  /** A migration failed, or the file was written by a newer schema than this build knows. */
  Migration: 'ERR_DB_MIGRATION',
  /** A stored row does not decode (hand-edited or damaged file): never guessed around. */
  Corrupt: 'ERR_DB_CORRUPT',
  /** An order event was journaled out of order or for an order the journal never saw. */
  Journal: 'ERR_DB_JOURNAL',
  /** An online backup failed or its copy did not pass the integrity check. */
  Backup: 'ERR_DB_BACKUP',
  /**
   * SQLite refused a write (disk full, read-only or vanished file, I/O error): the transaction
   * was rolled back whole, so the file holds everything before it and nothing of it.
   */
  Write: 'ERR_DB_WRITE',
  /** Another running engine holds the database (one engine per database). */
  Locked: 'ERR_DB_LOCKED',
  /**
   * The database holds the records of the other trading mode (shadow's paper account in a
   * live engine's file, or the reverse): one database per mode, never shared.
   */
  ModeMismatch: 'ERR_DB_MODE_MISMATCH',
} as const;
/** One of the StorageErrorCode values. */
export type StorageErrorCode = (typeof StorageErrorCode)[keyof typeof StorageErrorCode];
