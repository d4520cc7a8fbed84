import type { Fixed } from '../core/Fixed.js';
import { ONE, ZERO, add, floorToStep, fromNumber, max, min, mul, sub } from '../core/Fixed.js';
import type { Millis } from '../core/time.js';
import type { Instrument } from '../model/Instrument.js';
import type { Order } from '../model/Order.js';
import { OrderSide, OrderType, TimeInForce } from '../model/enums.js';
import type { Direction, IntrabarPath } from './IntrabarPath.js';
import { reaches } from './IntrabarPath.js';
import type { MatchEvent } from './MatchEvent.js';
import { ceilToStep, fixedToFloat } from './priceRounding.js';

/**
 * Where an order stands in the current walk: from path time `t`, where the price is `pxF`
 * (exactly `px` when known), along `path`. `takerStart` says a fill right at this point
 * takes liquidity (the order is just arriving, triggering or being activated).
 */
export interface Cursor {
  readonly path: IntrabarPath;
  readonly t: number;
  readonly pxF: number;
  px: Fixed | undefined;
  readonly takerStart: boolean;
}

/** The exact price at a cursor; bar prices become Fixed only when a fill or trigger uses them. */
export function cursorPx(c: Cursor): Fixed {
  c.px ??= fromNumber(c.pxF);
  return c.px;
}

const CONDITIONAL = new Set<OrderType>([
  OrderType.STOP_MARKET,
  OrderType.STOP_LIMIT,
  OrderType.TAKE_PROFIT,
  OrderType.TAKE_PROFIT_LIMIT,
  OrderType.TRAILING_STOP,
]);
const MARKET_LIKE = new Set<OrderType>([
  OrderType.MARKET,
  OrderType.STOP_MARKET,
  OrderType.TAKE_PROFIT,
  OrderType.TRAILING_STOP,
]);

const NO_CHILDREN: readonly RestingOrder[] = [];

/**
 * The venue's own record of an accepted, still-open order: its levels converted to floats
 * once (bars are floats and a backtest compares them millions of times), what it has
 * filled, and its progress through the bar being matched. The Order object stays the OMS's;
 * the venue never reads its state back, so a re-entrant report cannot confuse it.
 */
export class RestingOrder {
  readonly order: Order;
  /** Acceptance sequence: breaks ties between events at the same path time (time priority). */
  readonly seq: number;
  readonly instrument: Instrument;
  /** Clock time the order reaches the venue (submit, or a price amend, + latency); it cannot fill on earlier prices. */
  arrival: Millis;
  /** Bracket parent: this order may fill only as much as the parent has filled. */
  readonly parent: RestingOrder | undefined;
  readonly children: RestingOrder[] = [];
  readonly side: OrderSide;
  /** Lowered by an amend. */
  quantity: Fixed;
  readonly timeInForce: TimeInForce;
  /** Waits for a trigger price before it works (stops, take-profits, trailing stops). */
  readonly conditional: boolean;
  /** Executes at whatever the market gives once live (market, stop-market, take-profit, trailing). */
  readonly marketLike: boolean;
  /** Moved by an amend (see SimulatedVenue.amend). */
  limitPx: Fixed;
  limitF: number;
  readonly limitDir: Direction;
  readonly triggerPx: Fixed;
  readonly triggerF: number;
  readonly triggerDir: Direction;
  /** TRAILING_STOP distance as a fraction; undefined for other types. */
  readonly trailPct: Fixed | undefined;

  filled: Fixed = ZERO;
  closed = false;
  triggered = false;
  /** It has been through at least one walk, so it rested on the book (a later fill is maker). */
  seen = false;
  /** A limit that crossed the last price when it arrived takes liquidity on its first fill. */
  takerOnArrival = false;
  /**
   * No price was known when it arrived (or was re-priced), so whether it crossed the book is
   * still open: the first price it sees decides, before any matching (see MatchingEngine.matchBar).
   */
  arrivalUnchecked = false;
  /** TRAILING_STOP: best price seen while live (highest for a sell, lowest for a buy). */
  watermark: number | undefined;
  /** The watermark last recorded for a restart (shadow mode, see RestartRecall). */
  savedWatermark: number | undefined;

  /** Per-walk scratch, owned by the venue's matching loop: the walk it is on and its place in it. */
  epoch = 0;
  cursor: Cursor | undefined;
  /** Filled during walk `filledInBarEpoch`, against the volume-share cap of that bar. */
  filledInBar: Fixed = ZERO;
  filledInBarEpoch = 0;
  /** Next event on the current walk, recomputed only after the order moved (`eventStale`). */
  event: MatchEvent | undefined;
  eventStale = true;

  private trailWm = Number.NaN;
  private trailTrig: { px: Fixed; f: number } | undefined;

  constructor(
    order: Order,
    seq: number,
    instrument: Instrument,
    arrival: Millis,
    parent: RestingOrder | undefined,
  ) {
    const req = order.request;
    this.order = order;
    this.seq = seq;
    this.instrument = instrument;
    this.arrival = arrival;
    this.parent = parent;
    this.side = req.side;
    this.quantity = req.quantity;
    this.timeInForce = req.timeInForce;
    this.conditional = CONDITIONAL.has(req.type);
    this.marketLike = MARKET_LIKE.has(req.type);
    const buy = req.side === OrderSide.BUY;
    this.limitPx = req.price ?? ZERO;
    this.limitF = fixedToFloat(this.limitPx);
    this.limitDir = buy ? 'down' : 'up';
    this.triggerPx = req.triggerPrice ?? ZERO;
    this.triggerF = req.triggerPrice === undefined ? Number.NaN : fixedToFloat(req.triggerPrice);
    // A stop buys on the way up and sells on the way down; a take-profit is the mirror.
    const takeProfit = req.type === OrderType.TAKE_PROFIT || req.type === OrderType.TAKE_PROFIT_LIMIT;
    this.triggerDir = buy !== takeProfit ? 'up' : 'down';
    this.trailPct = req.type === OrderType.TRAILING_STOP ? req.trailingPct : undefined;
  }

  get id(): string {
    return this.order.id;
  }
  get symbol(): string {
    return this.order.request.symbol;
  }
  get leaves(): Fixed {
    return sub(this.quantity, this.filled);
  }
  /** IOC or FOK: one chance at its entry point, never rests on the book. */
  get immediateOnly(): boolean {
    return this.timeInForce !== TimeInForce.GTC;
  }

  /**
   * How much more may fill right now. A bracket child protects only what its parent has
   * actually bought or sold, less what its legs already closed: the children of one parent
   * in one OCO group (or all of its children without one) close one position together, as
   * the live OrderEmulator sizes them, so a take-profit that partly filled leaves the
   * stop-loss guarding the rest instead of the group closing more than the entry filled.
   */
  allowance(): Fixed {
    const leaves = sub(this.quantity, this.filled);
    const parent = this.parent;
    return parent === undefined ? leaves : min(leaves, sub(parent.filled, this.legsFilled()));
  }

  /** A bracket child: what its legs (see isLegOf), itself included, have closed so far. */
  legsFilled(): Fixed {
    const group = this.order.request.ocoGroup;
    let closed = ZERO;
    for (const c of this.parent?.children ?? NO_CHILDREN)
      if (c.order.request.ocoGroup === group) closed = add(closed, c.filled);
    return closed;
  }

  /** A bracket child of the same parent and OCO group (or both without one): a leg of one position's exit. */
  isLegOf(other: RestingOrder): boolean {
    return (
      this.parent !== undefined &&
      this.parent === other.parent &&
      this.order.request.ocoGroup === other.order.request.ocoGroup
    );
  }

  /** Whether a non-conditional order would execute at once at `price` (a limit crossing the book). */
  marketableAt(price: number): boolean {
    if (this.conditional) return false;
    return this.marketLike || reaches(price, this.limitF, this.limitDir);
  }

  /**
   * Cheap pre-test on a bar's range: false when nothing can happen to this order in the bar
   * (its trigger or limit is out of reach), so the venue skips walking it. Orders that act
   * whatever the range (market, IOC/FOK, an untriggered trailing stop that must track the
   * best price) always pass.
   */
  mayActWithin(low: number, high: number): boolean {
    if (this.immediateOnly || (this.trailPct !== undefined && !this.triggered)) return true;
    if (this.conditional && !this.triggered) {
      return reaches(this.triggerDir === 'down' ? low : high, this.triggerF, this.triggerDir);
    }
    if (this.marketLike) return true;
    return reaches(this.limitDir === 'down' ? low : high, this.limitF, this.limitDir);
  }

  /**
   * Trailing trigger for a watermark: the best price × (1 ∓ pct), rounded to the tick away
   * from the market so the trail is never tighter than asked, and never looser than an
   * initial triggerPrice given with the order. Cached: the watermark moves only on new extremes.
   */
  trailTrigger(wm: number): { px: Fixed; f: number } {
    if (wm === this.trailWm && this.trailTrig !== undefined) return this.trailTrig;
    const pct = this.trailPct ?? ZERO;
    const tick = this.instrument.tickSize;
    const base = fromNumber(wm);
    const initial = this.order.request.triggerPrice;
    let px: Fixed;
    if (this.side === OrderSide.SELL) {
      px = floorToStep(mul(base, sub(ONE, pct)), tick);
      if (initial !== undefined) px = max(px, initial);
    } else {
      px = ceilToStep(mul(base, add(ONE, pct)), tick);
      if (initial !== undefined) px = min(px, initial);
    }
    this.trailWm = wm;
    this.trailTrig = { px, f: fixedToFloat(px) };
    return this.trailTrig;
  }

  /** Puts the order at a point of a walk; its next event must be recomputed. */
  place(
    epoch: number,
    path: IntrabarPath,
    t: number,
    pxF: number,
    px: Fixed | undefined,
    takerStart: boolean,
  ): void {
    this.epoch = epoch;
    this.cursor = { path, t, pxF, px, takerStart };
    this.eventStale = true;
    // A trailing stop starts trailing from the first price it sees while live.
    if (this.trailPct !== undefined && this.watermark === undefined) this.watermark = pxF;
  }

  /**
   * Leaves the walk at path time `toT` (end of bar, or a jump to another walk), keeping the
   * best price a trailing stop has seen on the way.
   */
  leave(toT: number): void {
    const c = this.cursor;
    if (c !== undefined && this.trailPct !== undefined && !this.triggered) {
      const sell = this.side === OrderSide.SELL;
      const seen = c.path.extreme(c.t, c.pxF, toT, sell);
      const wm = this.watermark ?? seen;
      this.watermark = sell ? Math.max(wm, seen) : Math.min(wm, seen);
    }
    this.cursor = undefined;
    this.eventStale = true;
  }
}
