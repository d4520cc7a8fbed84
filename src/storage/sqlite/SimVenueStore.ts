import type Database from 'better-sqlite3';

/**
 * What shadow mode's simulated venue keeps across a restart beyond the open orders the
 * journal gives back: the best price each trailing stop has seen (a stop trailing from the
 * first price after the restart would be looser than the one the user had), and the ids of a
 * bracket entry's children, so a restored leg counts what its closed siblings already closed.
 */
export class SimVenueStore {
  private readonly upsertMark: Database.Statement<[string, number]>;
  private readonly selectMark: Database.Statement<[string], number>;
  private readonly selectMarkIds: Database.Statement<[], string>;
  private readonly deleteMark: Database.Statement<[string]>;
  private readonly selectChildren: Database.Statement<[string], string>;

  constructor(private readonly db: Database.Database) {
    this.upsertMark = db.prepare(
      `INSERT INTO sim_trailing_marks (order_id, watermark) VALUES (?, ?)
       ON CONFLICT (order_id) DO UPDATE SET watermark = excluded.watermark`,
    );
    this.selectMark = db
      .prepare<[string], number>('SELECT watermark FROM sim_trailing_marks WHERE order_id = ?')
      .pluck();
    this.selectMarkIds = db.prepare<[], string>('SELECT order_id FROM sim_trailing_marks').pluck();
    this.deleteMark = db.prepare('DELETE FROM sim_trailing_marks WHERE order_id = ?');
    // The same expression as the orders_parent index, so SQLite uses it.
    this.selectChildren = db
      .prepare<[string], string>(
        "SELECT id FROM orders WHERE json_extract(request, '$.parentId') = ? ORDER BY created_at, id",
      )
      .pluck();
  }

  /** Records the best price a trailing stop has seen (float64, as the venue tracks it). */
  saveTrailingMark(orderId: string, watermark: number): void {
    this.upsertMark.run(orderId, watermark);
  }

  /** The best price a trailing stop had seen when last recorded, or undefined. */
  trailingMark(orderId: string): number | undefined {
    return this.selectMark.get(orderId);
  }

  /** Drops the mark of a stop that left the book. */
  forgetTrailingMark(orderId: string): void {
    this.deleteMark.run(orderId);
  }

  /** Drops the marks of orders that are no longer open (they ended before or during the stop). */
  retainTrailingMarks(openIds: ReadonlySet<string>): void {
    this.db.transaction(() => {
      for (const id of this.selectMarkIds.all()) if (!openIds.has(id)) this.deleteMark.run(id);
    })();
  }

  /** Ids of the journal's orders whose parent is `parentId` (a bracket entry's legs), oldest first. */
  childIds(parentId: string): string[] {
    return this.selectChildren.all(parentId);
  }
}
