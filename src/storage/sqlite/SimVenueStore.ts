import type Database from 'better-sqlite3';
import { guardWrite } from './writeError.js';

/**
 * What shadow mode's simulated venue keeps across a restart beyond the open orders the
 * journal gives back: the best price each trailing stop has seen (a stop trailing from the
 * first price after the restart would be looser than the one the user had), and the ids of a
 * bracket entry's children, so a restored leg counts what its closed siblings already closed.
 * A write SQLite refuses (full disk, read-only file) is ERR_DB_WRITE.
 */
export class SimVenueStore {
  private readonly upsertMark: (orderId: string, watermark: number) => Database.RunResult;
  private readonly selectMark: Database.Statement<[string], number>;
  private readonly selectMarkIds: Database.Statement<[], string>;
  private readonly deleteMark: Database.Statement<[string]>;
  private readonly forgetMark: (orderId: string) => Database.RunResult;
  private readonly retainMarks: (openIds: ReadonlySet<string>) => void;
  private readonly selectChildren: Database.Statement<[string], string>;

  constructor(db: Database.Database) {
    const upsertMark = db.prepare<[string, number]>(
      `INSERT INTO sim_trailing_marks (order_id, watermark) VALUES (?, ?)
       ON CONFLICT (order_id) DO UPDATE SET watermark = excluded.watermark`,
    );
    this.upsertMark = guardWrite(
      upsertMark.run.bind(upsertMark),
      (orderId) => `trailing mark of order ${orderId} not saved`,
    );
    this.selectMark = db
      .prepare<[string], number>('SELECT watermark FROM sim_trailing_marks WHERE order_id = ?')
      .pluck();
    this.selectMarkIds = db.prepare<[], string>('SELECT order_id FROM sim_trailing_marks').pluck();
    this.deleteMark = db.prepare('DELETE FROM sim_trailing_marks WHERE order_id = ?');
    this.forgetMark = guardWrite(
      this.deleteMark.run.bind(this.deleteMark),
      (orderId) => `trailing mark of order ${orderId} not deleted`,
    );
    const retain = db.transaction((openIds: ReadonlySet<string>) => {
      for (const id of this.selectMarkIds.all()) if (!openIds.has(id)) this.deleteMark.run(id);
    });
    this.retainMarks = guardWrite(
      retain.immediate.bind(retain),
      () => 'trailing marks of ended orders not deleted',
    );
    // The same expression as the orders_parent index, so SQLite uses it.
    this.selectChildren = db
      .prepare<[string], string>(
        "SELECT id FROM orders WHERE json_extract(request, '$.parentId') = ? ORDER BY created_at, id",
      )
      .pluck();
  }

  /** Records the best price a trailing stop has seen (float64, as the venue tracks it). */
  saveTrailingMark(orderId: string, watermark: number): void {
    this.upsertMark(orderId, watermark);
  }

  /** The best price a trailing stop had seen when last recorded, or undefined. */
  trailingMark(orderId: string): number | undefined {
    return this.selectMark.get(orderId);
  }

  /** Drops the mark of a stop that left the book. */
  forgetTrailingMark(orderId: string): void {
    this.forgetMark(orderId);
  }

  /** Drops the marks of orders that are no longer open (they ended before or during the stop). */
  retainTrailingMarks(openIds: ReadonlySet<string>): void {
    this.retainMarks(openIds);
  }

  /** Ids of the journal's orders whose parent is `parentId` (a bracket entry's legs), oldest first. */
  childIds(parentId: string): string[] {
    return this.selectChildren.all(parentId);
  }
}
