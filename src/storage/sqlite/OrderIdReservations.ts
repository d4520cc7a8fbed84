import type { SqliteDatabase } from './openDatabase.js';
import { guardWrite } from './writeError.js';

/** How many order ids one durable reservation covers: one fsync per this many orders. */
export const ORDER_ID_BLOCK = 1000;

/**
 * Order id sequences promised durably ahead of use (hi-lo), so no client order id is sent twice.
 * The order journal commits with `synchronous = NORMAL`: a power cut may take its last orders,
 * and a sequence resumed from the journal alone would send client order ids the exchange
 * already has; an exchange then refuses the order as a duplicate or, worse, a lookup by client
 * id finds the old order and books its fills. Each reservation is committed with a sync of the
 * write-ahead log (`synchronous = FULL` for that one commit), which also makes every earlier
 * commit durable; a restart resumes after the reservation, skipping at most one block of ids.
 */
export class OrderIdReservations {
  private readonly read;
  private readonly write: (prefix: string, upTo: number) => unknown;

  constructor(private readonly db: SqliteDatabase) {
    this.read = db
      .prepare<[string], number>('SELECT reserved_to FROM order_id_reservations WHERE prefix = ?')
      .pluck();
    const write = db.prepare<[string, number]>(
      `INSERT INTO order_id_reservations (prefix, reserved_to) VALUES (?, ?)
       ON CONFLICT (prefix) DO UPDATE SET reserved_to = max(reserved_to, excluded.reserved_to)`,
    );
    this.write = guardWrite(
      write.run.bind(write),
      (prefix, upTo) => `order ids ${prefix} up to ${upTo} not reserved`,
    );
  }

  /** The highest sequence of `prefix` ever reserved (0 when none). */
  reservedTo(prefix: string): number {
    return this.read.get(prefix) ?? 0;
  }

  /**
   * Promises durably every sequence of `prefix` up to `seq` rounded up to a whole block, and
   * returns that bound; ERR_DB_WRITE when the file refuses it (no id is handed out then). Inside
   * a transaction (the safety level cannot change there) the row commits with that transaction.
   */
  reserve(prefix: string, seq: number): number {
    const upTo = Math.ceil(seq / ORDER_ID_BLOCK) * ORDER_ID_BLOCK;
    const level = this.db.inTransaction
      ? undefined
      : (this.db.pragma('synchronous', { simple: true }) as number);
    try {
      if (level !== undefined) this.db.pragma('synchronous = FULL');
      this.write(prefix, upTo);
    } finally {
      if (level !== undefined) this.db.pragma(`synchronous = ${level}`);
    }
    return upTo;
  }
}
