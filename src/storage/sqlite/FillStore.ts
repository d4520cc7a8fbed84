import type Database from 'better-sqlite3';
import type { Fixed } from '../../core/Fixed.js';
import { formatFixed, parseFixed } from '../../core/Fixed.js';
import type { Millis } from '../../core/time.js';
import type { Liquidity, OrderSide } from '../../model/enums.js';
import type { OrderFilled } from '../../model/events.js';
import { QueryFilter } from './QueryFilter.js';
import { guardWrite } from './writeError.js';

/** One execution of an order, exact. */
export interface FillRecord {
  readonly orderId: string;
  /** The venue's trade id: unique per order, the key that makes a replayed fill harmless. */
  readonly tradeId: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly qty: Fixed;
  readonly px: Fixed;
  /** Positive = paid. */
  readonly fee: Fixed;
  readonly feeCurrency: string;
  readonly liquidity: Liquidity;
  readonly ts: Millis;
}

/** Filters of FillStore.list; every field optional, times are [from, to). */
export interface FillQuery {
  readonly orderId?: string;
  readonly strategyId?: string;
  readonly symbol?: string;
  readonly from?: Millis;
  readonly to?: Millis;
  /** Newest first; default 100, at most 10000. */
  readonly limit?: number;
  readonly offset?: number;
}

interface FillRow {
  order_id: string;
  trade_id: string;
  strategy_id: string;
  symbol: string;
  side: OrderSide;
  qty: string;
  px: string;
  fee: string;
  fee_currency: string;
  liquidity: Liquidity;
  ts: number;
}

/** The fill an OrderFilled event carries. */
export function fillFromEvent(e: OrderFilled): FillRecord {
  return {
    orderId: e.orderId,
    tradeId: e.tradeId,
    strategyId: e.strategyId,
    symbol: e.symbol,
    side: e.side,
    qty: e.lastQty,
    px: e.lastPx,
    fee: e.fee,
    feeCurrency: e.feeCurrency,
    liquidity: e.liquidity,
    ts: e.ts,
  };
}

/**
 * Fills, keyed by (order id, trade id). The same trade reported again — by REST after the
 * WebSocket, or by reconciliation after a restart — is ignored, and `record` says so, so a
 * fill can never be booked twice. The OrderStore journal writes every OrderFilled here in the
 * event's own transaction; reconciliation can call `record`/`has` directly.
 */
export class FillStore {
  private readonly insert: (row: FillRow) => Database.RunResult;
  private readonly exists: Database.Statement<[string, string], number>;
  private readonly byOrder: Database.Statement<[string], FillRow>;

  constructor(private readonly db: Database.Database) {
    const insert = db.prepare<[FillRow]>(
      `INSERT INTO fills (order_id, trade_id, strategy_id, symbol, side, qty, px, fee, fee_currency, liquidity, ts)
       VALUES (@order_id, @trade_id, @strategy_id, @symbol, @side, @qty, @px, @fee, @fee_currency, @liquidity, @ts)
       ON CONFLICT (order_id, trade_id) DO NOTHING`,
    );
    this.insert = guardWrite(
      insert.run.bind(insert),
      (r) => `fill ${r.trade_id} of order ${r.order_id} not recorded`,
    );
    this.exists = db
      .prepare<[string, string], number>('SELECT 1 FROM fills WHERE order_id = ? AND trade_id = ?')
      .pluck();
    this.byOrder = db.prepare('SELECT * FROM fills WHERE order_id = ? ORDER BY ts, rowid');
  }

  /**
   * Stores a fill; false when this trade of this order was already stored (nothing changes).
   * ERR_DB_WRITE when SQLite refuses the write (inside the journal's transaction too).
   */
  record(fill: FillRecord): boolean {
    return this.insert(toRow(fill)).changes === 1;
  }

  has(orderId: string, tradeId: string): boolean {
    return this.exists.get(orderId, tradeId) !== undefined;
  }

  /** Fills of one order in time order. */
  forOrder(orderId: string): FillRecord[] {
    return this.byOrder.all(orderId).map(fromRow);
  }

  /**
   * Every fill with ts before `to` (all when omitted), in the order they were booked, read
   * lazily: what a PnL fold over the whole history needs, without the page limit of `list`.
   * Booking order, not ts: the ledger's average cost follows it, and a fill's ts can run
   * backwards — a replayed market starts its clock again at each restart (a synthetic one did
   * before it continued from the database), and a
   * live fill found by lookup after a restart is booked after later trades of other orders.
   */
  *history(to?: Millis): IterableIterator<FillRecord> {
    const rows = this.db
      .prepare<[number], FillRow>('SELECT * FROM fills WHERE ts < ? ORDER BY rowid')
      .iterate(to ?? Number.MAX_VALUE);
    for (const r of rows) yield fromRow(r);
  }

  /** Fills booked after rowid `upto` (a ledger snapshot's fillsUpto), in booking order. */
  bookedAfter(upto: number): FillRecord[] {
    return this.db
      .prepare<[number], FillRow>('SELECT * FROM fills WHERE rowid > ? ORDER BY rowid')
      .all(upto)
      .map(fromRow);
  }

  /** Fills matching the filter, newest first (for the API and reports). */
  list(q: FillQuery = {}): FillRecord[] {
    const f = new QueryFilter()
      .when('order_id = @orderId', 'orderId', q.orderId)
      .when('strategy_id = @strategyId', 'strategyId', q.strategyId)
      .when('symbol = @symbol', 'symbol', q.symbol)
      .when('ts >= @from', 'from', q.from)
      .when('ts < @to', 'to', q.to);
    const sql = f.sql('fills', 'ts DESC, rowid DESC', q.limit, q.offset);
    return this.db.prepare<[Record<string, string | number>], FillRow>(sql).all(f.params).map(fromRow);
  }
}

function toRow(f: FillRecord): FillRow {
  return {
    order_id: f.orderId,
    trade_id: f.tradeId,
    strategy_id: f.strategyId,
    symbol: f.symbol,
    side: f.side,
    qty: formatFixed(f.qty),
    px: formatFixed(f.px),
    fee: formatFixed(f.fee),
    fee_currency: f.feeCurrency,
    liquidity: f.liquidity,
    ts: f.ts,
  };
}

function fromRow(r: FillRow): FillRecord {
  return {
    orderId: r.order_id,
    tradeId: r.trade_id,
    strategyId: r.strategy_id,
    symbol: r.symbol,
    side: r.side,
    qty: parseFixed(r.qty),
    px: parseFixed(r.px),
    fee: parseFixed(r.fee),
    feeCurrency: r.fee_currency,
    liquidity: r.liquidity,
    ts: r.ts,
  };
}
