import type { Logger } from 'pino';
import type { Fixed } from '../core/Fixed.js';
import { ZERO, add, div, formatFixed, mul } from '../core/Fixed.js';
import type { ForcedCloseCause, LiquidationBooked, LiquidationFee } from '../kernel/topics.js';
import { LIQUIDATIONS, LIQUIDATION_FILLS } from '../kernel/topics.js';
import type { OrderFilled } from '../model/events.js';
import type { PositionLiquidated } from '../model/futuresEvents.js';
import { LIQUIDATION_ORDER_ID, liquidationFills } from '../model/futuresEvents.js';
import type { AuditSink } from '../monitor/AuditSink.js';
import type { TradingNode } from '../node/TradingNode.js';
import { FillStore, fillFromEvent } from '../storage/sqlite/FillStore.js';
import type { SqliteDatabase } from '../storage/sqlite/openDatabase.js';
import { openTripFromFills } from './openTripFromFills.js';

/** What a liquidation is booked with: the node, the engine's database and where it is told. */
export interface LiquidationBookingContext {
  readonly node: TradingNode;
  readonly db: SqliteDatabase;
  readonly saveLedger: () => void;
  readonly audit: AuditSink;
  readonly log: Logger;
}

/** Written beside a liquidation in the audit trail and the log (live: the exchange's order). */
export type LiquidationDetail = Readonly<Record<string, string | number | boolean>>;

/** What the venue says about the close beyond the event (live: the exchange's force order). */
export interface ForcedCloseInfo {
  /** Liquidation (the default) or the exchange's auto-deleveraging. */
  readonly cause?: ForcedCloseCause;
  /** The exchange's closing order. */
  readonly venueOrderId?: string;
  /** Trades of that order were booked before: these lines are the rest of the same close. */
  readonly continued?: boolean;
  /** The clearance fee charged apart from the trades, included in the lines' fees (live). */
  readonly clearanceFee?: LiquidationFee;
}

/**
 * The one way a running engine books a liquidation, shadow (the simulated venue's clearing)
 * and live (the exchange's liquidation order) alike: the position closes through the node
 * (ledger, the loss streak of the strategy whose fill last moved the position, `onLiquidation`),
 * its fill lines (order `LIQUIDATION`, no order of the OMS) go into the fills store with the
 * ledger snapshot in one transaction — a restart never books them again, and the snapshot
 * counts them (fillsUpto) — and are then told on LIQUIDATION_FILLS one by one (fill list push,
 * fill count, breakers), then once, summed, on LIQUIDATIONS (the liquidation count and the
 * notification: a liquidation the venue filled in three trades is one liquidation, not three);
 * the audit trail records `position.liquidated`.
 */
export class LiquidationBooking {
  private readonly fills: FillStore;

  constructor(
    private readonly ctx: LiquidationBookingContext,
    /** `venue` of the audit record: 'shadow', or the exchange's id. */
    private readonly venue: string,
  ) {
    this.fills = new FillStore(ctx.db);
  }

  /** Whether a fill line with this trade id is in the store (booked before, this run or another). */
  has(tradeId: string): boolean {
    return this.fills.has(LIQUIDATION_ORDER_ID, tradeId);
  }

  /**
   * Books `e`; `tradeId` names each fill line from the venue's trade id (see liquidationFills).
   * Returns the lines booked.
   */
  book(
    e: PositionLiquidated,
    tradeId: (venueTradeId: string | undefined) => string,
    detail: LiquidationDetail = {},
    close: ForcedCloseInfo = {},
  ): readonly OrderFilled[] {
    const { node, db, saveLedger, audit, log } = this.ctx;
    // Whose position it was: read before the booking, which may let strategies act.
    const last = this.fills.list({ symbol: e.symbol, limit: 1 })[0];
    const lines = liquidationFills(e, last?.strategyId ?? LIQUIDATION_ORDER_ID, tradeId);
    this.resumeTrip(e.symbol);
    node.onClearing(e);
    db.transaction(() => {
      // Before the ledger: its snapshot counts the fill rows it holds (fillsUpto).
      for (const line of lines) this.fills.record(fillFromEvent(line));
      saveLedger();
    })();
    for (const line of lines) node.bus.publish(LIQUIDATION_FILLS, line);
    const booked = liquidationBooked(e, lines, this.venue, close);
    if (booked !== undefined) node.bus.publish(LIQUIDATIONS, booked);
    const data = {
      symbol: e.symbol,
      ts: e.ts,
      strategyId: lines[0]?.strategyId,
      marginMode: e.marginMode,
      positionQty: formatFixed(e.positionQty),
      price: formatFixed(e.price),
      realizedPnl: formatFixed(e.realizedPnl),
      fee: formatFixed(e.fee),
      insuranceCovered: formatFixed(e.insuranceCovered),
      fills: lines.length,
      ...(close.continued === true ? { continued: true } : {}),
      ...detail,
    };
    audit.record('position.liquidated', { ...data, venue: this.venue }, 'system');
    log.warn(data, `${this.venue} position on ${e.symbol} LIQUIDATED`);
    return lines;
  }

  /**
   * The position's round trip, read back from the journal when the node does not know it yet:
   * a live liquidation found at startup (the exchange closed the position while the engine was
   * down) is booked before the restart resumes open trips, and its loss must still end the
   * trip in its strategy's loss streak. A no-op when the trip is open already.
   */
  private resumeTrip(symbol: string): void {
    const { node } = this.ctx;
    const qty = node.portfolio.positionQty(symbol);
    if (qty === ZERO) return;
    const trip = openTripFromFills(
      (limit, offset) => this.fills.list({ symbol, limit, offset }),
      qty,
      node.portfolio.currency,
    );
    if (trip !== undefined) node.resumeRoundTrip(symbol, trip.strategyId, trip.fees);
  }
}

/**
 * The booking's fill lines summed into one liquidation: quantity, volume-weighted average
 * price, fees per currency, the lines themselves. Undefined for no lines (nothing was closed).
 */
export function liquidationBooked(
  e: PositionLiquidated,
  lines: readonly OrderFilled[],
  venue: string,
  close: ForcedCloseInfo = {},
): LiquidationBooked | undefined {
  const first = lines[0];
  if (first === undefined) return undefined;
  let qty: Fixed = ZERO;
  let notional: Fixed = ZERO;
  let ts = first.ts;
  const fees = new Map<string, Fixed>();
  for (const l of lines) {
    qty = add(qty, l.lastQty);
    notional = add(notional, mul(l.lastQty, l.lastPx));
    ts = Math.max(ts, l.ts);
    fees.set(l.feeCurrency, add(fees.get(l.feeCurrency) ?? ZERO, l.fee));
  }
  const avgPx = lines.length === 1 || qty === ZERO ? first.lastPx : div(notional, qty);
  const feeList: LiquidationFee[] = [...fees].map(([currency, amount]) => ({ currency, amount }));
  return {
    type: 'LiquidationBooked',
    cause: close.cause ?? 'liquidation',
    venue,
    symbol: e.symbol,
    strategyId: first.strategyId,
    side: e.side,
    ts,
    positionQty: e.positionQty,
    qty,
    avgPx,
    fees: feeList,
    ...(close.clearanceFee === undefined ? {} : { clearanceFee: close.clearanceFee }),
    realizedPnl: e.realizedPnl,
    lines: [...lines].sort((a, b) => a.ts - b.ts),
    ...(close.venueOrderId === undefined ? {} : { venueOrderId: close.venueOrderId }),
    continued: close.continued ?? false,
  };
}
