import type { Fixed } from '../core/Fixed.js';
import { ZERO, fromNumber, mul, neg, sub } from '../core/Fixed.js';
import type { Millis } from '../core/time.js';
import type { Bar } from '../model/Bar.js';
import type { ClearingEvent } from '../model/futuresEvents.js';
import type { OrderSide } from '../model/enums.js';
import type { Instrument } from '../model/Instrument.js';
import type { MarginAccount } from '../portfolio/MarginAccount.js';

/** One funding settlement of a symbol's history: its time and rate. */
export interface FundingPoint {
  readonly ts: Millis;
  readonly rate: Fixed;
}

/** One published mark price: its time and value. */
export interface MarkPoint {
  readonly ts: Millis;
  readonly price: number;
}

/** What the clearing works from: funding and mark histories per symbol, and the account it clears. */
export interface PerpetualClearingOptions {
  /** Funding settlements per symbol, in time order. */
  readonly funding?: ReadonlyMap<string, readonly FundingPoint[]>;
  /** Published mark prices per symbol, in time order (e.g. the opens of mark-price candles). */
  readonly marks?: ReadonlyMap<string, readonly MarkPoint[]>;
  readonly account: MarginAccount;
}

/** Where in a walk a point sits when times tie: the trade close, then a published mark, then funding. */
const CLOSE = 0;
const MARK = 1;
const FUNDING = 2;

interface Point {
  readonly ts: Millis;
  readonly kind: 0 | 1 | 2;
  readonly price: number;
  readonly rate: Fixed;
}

/** A fill of the bar being cleared: its time and the position change it made (buys positive). */
interface BarFill {
  readonly ts: Millis;
  readonly signedQty: Fixed;
}

interface SymbolClearing {
  /** Everything at or before this time has been cleared. */
  clearedTo: Millis;
  nextFunding: number;
  nextMark: number;
  mark: number | undefined;
}

/**
 * The exchange's clearing of perpetuals inside the simulated venue: it keeps the mark
 * price, settles funding at each funding time and liquidates positions whose margin balance
 * fell to the maintenance margin. It runs after the venue matched a bar, before strategies
 * see it; its events go to the account through the sink, like fills.
 *
 * Mark price: the most recent price known — a published mark (from a mark-price series)
 * or the traded close after it; at equal times the published mark wins. With a mark series
 * as fine as the bars the mark is that series; with a coarser one (8 h mark candles under
 * 5 m bars) it is exact at each published point and follows trades in between, which keeps
 * a stale mark from liquidating (or sparing) a position hours after the market moved.
 *
 * Within a bar, in this order: the intrabar walk (the mark follows the traded price to the
 * bar's adverse extreme: a long is liquidated when the low reaches its liquidation price,
 * at that price, or at the open when the bar opens beyond it), then every point of
 * (last cleared, now] in time order: published marks and the close (liquidation check at
 * each), funding settlements (position at that moment × mark × rate; longs pay a positive
 * rate). Resting orders matched before the check: a stop inside the bar fills first.
 *
 * The account already holds every fill of the bar when the clearing runs, but a funding time
 * inside the bar (8-hourly funding under daily bars) is charged on the position held at that
 * time: fills stamped after it (an order that reached the venue later in the bar) are taken
 * back out of the position funding is charged on (see noteFill).
 */
export class PerpetualClearing {
  private sink: ((event: ClearingEvent) => void) | undefined;
  private readonly state = new Map<string, SymbolClearing>();
  private readonly account: MarginAccount;
  /** Per symbol with funding: the fills since its last clearing, as the venue reported them. */
  private readonly barFills = new Map<string, BarFill[]>();

  constructor(
    private readonly opts: PerpetualClearingOptions,
    /** Cancels every open order of a symbol (the venue does it before liquidating). */
    private readonly cancelOrders: (symbol: string, ts: Millis) => void,
  ) {
    this.account = opts.account;
  }

  setSink(sink: (event: ClearingEvent) => void): void {
    this.sink = sink;
  }

  /**
   * The venue filled `qty` of `symbol` at `ts`: kept until the symbol's next clearing, so a
   * funding time inside the bar leaves out what filled after it. Only symbols with funding.
   */
  noteFill(symbol: string, side: OrderSide, qty: Fixed, ts: Millis): void {
    if (this.opts.funding?.has(symbol) !== true) return;
    const signedQty = side === 'BUY' ? qty : neg(qty);
    const fills = this.barFills.get(symbol);
    if (fills === undefined) this.barFills.set(symbol, [{ ts, signedQty }]);
    else fills.push({ ts, signedQty });
  }

  /** Clears one closed bar of a perpetual; `now` is the time the bar is known (its end). */
  onBar(inst: Instrument, bar: Bar, now: Millis): void {
    const symbol = inst.symbol;
    let st = this.state.get(symbol);
    if (st === undefined) {
      // History before the first bar is before the data: nothing was held then.
      st = { clearedTo: bar.ts - 1, nextFunding: 0, nextMark: 0, mark: undefined };
      this.skipTo(symbol, st);
      this.state.set(symbol, st);
    }
    this.intrabar(inst, bar);
    for (const p of this.pointsUntil(symbol, st, bar.close, now)) {
      if (p.kind === FUNDING) {
        this.settleFunding(inst, st, p);
        if (st.mark !== undefined) this.checkPoint(inst, st.mark, st.mark, p.ts);
        continue;
      }
      const before = st.mark ?? p.price;
      st.mark = p.price;
      this.emit({ type: 'MarkPriceUpdated', symbol, ts: p.ts, price: p.price });
      this.checkPoint(inst, before, p.price, p.ts);
    }
    st.clearedTo = Math.max(st.clearedTo, now);
    // Later funding times are after all of these fills: they count in full.
    this.barFills.delete(symbol);
  }

  private skipTo(symbol: string, st: SymbolClearing): void {
    const funding = this.opts.funding?.get(symbol) ?? [];
    const marks = this.opts.marks?.get(symbol) ?? [];
    while (st.nextFunding < funding.length && (funding[st.nextFunding] as FundingPoint).ts <= st.clearedTo)
      st.nextFunding++;
    while (st.nextMark < marks.length && (marks[st.nextMark] as MarkPoint).ts <= st.clearedTo) st.nextMark++;
  }

  /** The points of (clearedTo, now] in time order, ties: close, mark, funding. */
  private pointsUntil(symbol: string, st: SymbolClearing, close: number, now: Millis): Point[] {
    const points: Point[] = [{ ts: now, kind: CLOSE, price: close, rate: ZERO }];
    const marks = this.opts.marks?.get(symbol);
    if (marks !== undefined) {
      for (; st.nextMark < marks.length; st.nextMark++) {
        const m = marks[st.nextMark] as MarkPoint;
        if (m.ts > now) break;
        points.push({ ts: m.ts, kind: MARK, price: m.price, rate: ZERO });
      }
    }
    const funding = this.opts.funding?.get(symbol);
    if (funding !== undefined) {
      for (; st.nextFunding < funding.length; st.nextFunding++) {
        const f = funding[st.nextFunding] as FundingPoint;
        if (f.ts > now) break;
        points.push({ ts: f.ts, kind: FUNDING, price: Number.NaN, rate: f.rate });
      }
    }
    if (points.length > 1) points.sort((a, b) => a.ts - b.ts || a.kind - b.kind);
    return points;
  }

  /**
   * Binance: "Funding Amount = Nominal Value of Positions × Funding Rate", nominal value =
   * mark price × size; a positive amount is paid by longs to shorts. Signed here as the
   * cash the account receives: −qty × mark × rate.
   */
  private settleFunding(inst: Instrument, st: SymbolClearing, p: Point): void {
    if (st.mark === undefined) return;
    const qty = this.heldAt(inst.symbol, p.ts);
    const mark = fromNumber(st.mark);
    this.emit({
      type: 'FundingSettled',
      symbol: inst.symbol,
      ts: p.ts,
      rate: p.rate,
      markPrice: mark,
      positionQty: qty,
      amount: neg(mul(mul(qty, mark), p.rate)),
      currency: inst.settle,
    });
  }

  /** The position at `ts`: the account's now, less the fills of this bar stamped after `ts`. */
  private heldAt(symbol: string, ts: Millis): Fixed {
    let qty = this.account.positionQty(symbol);
    for (const f of this.barFills.get(symbol) ?? []) if (f.ts > ts) qty = sub(qty, f.signedQty);
    return qty;
  }

  /** The traded price walked to the bar's adverse extreme: liquidated there if it reached the liquidation price. */
  private intrabar(inst: Instrument, bar: Bar): void {
    const qty = this.account.positionQty(inst.symbol);
    if (qty === ZERO) return;
    const lp = this.account.liquidationPrice(inst.symbol);
    if (lp === undefined) return;
    const long = qty > 0n;
    const extreme = fromNumber(
      long ? Math.min(bar.low, bar.open, bar.close) : Math.max(bar.high, bar.open, bar.close),
    );
    if (long ? extreme > lp : extreme < lp) return;
    const open = fromNumber(bar.open);
    const gapped = long ? open < lp : open > lp;
    this.liquidate(inst, gapped ? open : lp, bar.ts);
  }

  /**
   * A point observation moved the mark from `before` to `px`: if the account is at or below
   * maintenance there, the mark crossed the liquidation price on the way (closed at it) or
   * the position was already beyond it (closed at `px`).
   */
  private checkPoint(inst: Instrument, before: number, px: number, ts: Millis): void {
    const pxF = fromNumber(px);
    const h = this.account.health(inst.symbol, pxF);
    if (h === undefined || h.balance > h.maintenance) return;
    const lp = this.account.liquidationPrice(inst.symbol);
    const long = this.account.positionQty(inst.symbol) > 0n;
    const b = fromNumber(before);
    const crossed = lp !== undefined && (long ? b > lp && pxF <= lp : b < lp && pxF >= lp);
    this.liquidate(inst, crossed ? lp : pxF, ts);
  }

  private liquidate(inst: Instrument, px: Fixed, ts: Millis): void {
    const plans = this.account.liquidationPlans(inst.symbol, px);
    // The liquidation closed whatever those fills built: funding after it sees no position.
    for (const plan of plans) this.barFills.delete(plan.symbol);
    for (const plan of plans) this.cancelOrders(plan.symbol, ts);
    for (const plan of plans) {
      this.emit({
        type: 'PositionLiquidated',
        symbol: plan.symbol,
        ts,
        marginMode: plan.mode,
        side: plan.side,
        positionQty: plan.positionQty,
        price: plan.price,
        markPrice: plan.symbol === inst.symbol ? px : plan.price,
        realizedPnl: plan.realizedPnl,
        fee: plan.fee,
        insuranceCovered: plan.insuranceCovered,
        currency: inst.settle,
      });
    }
  }

  private emit(event: ClearingEvent): void {
    this.sink?.(event);
  }
}
