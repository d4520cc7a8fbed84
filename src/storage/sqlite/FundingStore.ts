import type Database from 'better-sqlite3';
import type { Fixed } from '../../core/Fixed.js';
import { ZERO, add, formatFixed, parseFixed } from '../../core/Fixed.js';
import type { Millis } from '../../core/time.js';
import { guardWrite } from './writeError.js';

/** One funding payment of the exchange, as recorded. */
export interface FundingPaymentRecord {
  /** The exchange's id of the payment (Binance: the income row's tranId). */
  readonly id: string;
  readonly symbol: string;
  /** Funding time, as the exchange stamped it. */
  readonly ts: Millis;
  /** Negative = paid. */
  readonly amount: Fixed;
  readonly currency: string;
  readonly rate?: Fixed;
  /**
   * True: booked into our ledger as funding. False: already in the wallet when the engine
   * first looked at the symbol (the first reconciliation took it over): known, never booked.
   */
  readonly booked: boolean;
}

interface PaymentRow {
  payment_id: string;
  symbol: string;
  ts: number;
  amount: string;
  currency: string;
  rate: string | null;
  booked: number;
}

/**
 * The funding payments a live engine has seen, by exchange and payment id, and where the next
 * look at each symbol's income history starts. `record` is idempotent per payment id and
 * tells whether the payment is new: that answer is what makes a payment booked exactly once,
 * across restarts too.
 */
export class FundingStore {
  private readonly insert: Database.Statement<
    [string, string, string, number, string, string, string | null, number, string, number]
  >;
  private readonly has: Database.Statement<[string, string], { one: number }>;
  private readonly cursorOf: Database.Statement<[string, string], { since: number }>;
  private readonly setCursor: Database.Statement<[string, string, number]>;
  private readonly moveCursor: (exchange: string, symbol: string, since: number) => Database.RunResult;
  private readonly list: Database.Statement<[string], PaymentRow>;
  private readonly recordTx: (runId: string, p: FundingPaymentRecord, at: number) => boolean;

  constructor(
    db: Database.Database,
    private readonly exchange: string,
  ) {
    this.insert = db.prepare(
      `INSERT INTO funding_payments
         (exchange, payment_id, symbol, ts, amount, currency, rate, booked, run_id, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (exchange, payment_id) DO NOTHING`,
    );
    this.has = db.prepare('SELECT 1 AS one FROM funding_payments WHERE exchange = ? AND payment_id = ?');
    this.cursorOf = db.prepare('SELECT since FROM funding_cursors WHERE exchange = ? AND symbol = ?');
    this.setCursor = db.prepare(
      `INSERT INTO funding_cursors (exchange, symbol, since) VALUES (?, ?, ?)
       ON CONFLICT (exchange, symbol) DO UPDATE SET since = max(since, excluded.since)`,
    );
    this.list = db.prepare(
      `SELECT payment_id, symbol, ts, amount, currency, rate, booked FROM funding_payments
       WHERE exchange = ? ORDER BY ts, payment_id`,
    );
    this.moveCursor = guardWrite(
      this.setCursor.run.bind(this.setCursor),
      (exchange, symbol) => `funding cursor of ${exchange} ${symbol} not saved`,
    );
    const recordTx = db.transaction((runId: string, p: FundingPaymentRecord, at: number) => {
      const r = this.insert.run(
        this.exchange,
        p.id,
        p.symbol,
        p.ts,
        formatFixed(p.amount),
        p.currency,
        p.rate === undefined ? null : formatFixed(p.rate),
        p.booked ? 1 : 0,
        runId,
        at,
      );
      if (r.changes === 0) return false;
      this.setCursor.run(this.exchange, p.symbol, p.ts);
      return true;
    });
    this.recordTx = guardWrite(
      recordTx.immediate.bind(recordTx),
      (_runId, p) => `funding payment ${p.id} not recorded`,
    );
  }

  /** Whether the payment `id` was recorded (booked or taken over). */
  knows(id: string): boolean {
    return this.has.get(this.exchange, id) !== undefined;
  }

  /**
   * Records a payment and moves the symbol's cursor to its time; false (and nothing written)
   * when the payment id is known already. ERR_DB_WRITE when SQLite refuses the write.
   */
  record(runId: string, payment: FundingPaymentRecord, at: number): boolean {
    return this.recordTx(runId, payment, at);
  }

  /** Where the next look at `symbol`'s history starts; undefined: never looked. */
  cursor(symbol: string): Millis | undefined {
    return this.cursorOf.get(this.exchange, symbol)?.since;
  }

  /** Moves the cursor of `symbol` to `since` (never back). */
  advance(symbol: string, since: Millis): void {
    this.moveCursor(this.exchange, symbol, since);
  }

  /** Every payment recorded for this exchange, oldest first. */
  payments(): FundingPaymentRecord[] {
    return this.list.all(this.exchange).map((r) => ({
      id: r.payment_id,
      symbol: r.symbol,
      ts: r.ts,
      amount: parseFixed(r.amount),
      currency: r.currency,
      ...(r.rate === null ? {} : { rate: parseFixed(r.rate) }),
      booked: r.booked === 1,
    }));
  }

  /** Net funding booked in `currency` over every run (the ledger's snapshot does not carry it). */
  bookedNet(currency: string): Fixed {
    let sum = ZERO;
    for (const p of this.payments()) if (p.booked && p.currency === currency) sum = add(sum, p.amount);
    return sum;
  }
}
