import Database from 'better-sqlite3';

/** The schema version recorded in the file at `path`, read on a read-only connection of its own. */
export function schemaVersionOf(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare<[], { v: number }>('SELECT max(version) AS v FROM schema_migrations').get()?.v ?? 0;
  } finally {
    db.close();
  }
}
